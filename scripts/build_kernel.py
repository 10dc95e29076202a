"""Compile the password model's one-row kernels in place: the forest's
(``pipeline/passwords/forest_kernel.pyx``) and the features' (``features_kernel.pyx`` beside it,
with the ``features_kernel_*.pxi`` it includes).

Usage: python scripts/build_kernel.py [--force]   (from anywhere; builds next to the sources)

A no-op for a built module newer than its source. Needs Cython (in Pipfile) and a C compiler
with Python's headers (Debian: gcc and python3-dev; the python:3.11 image has both). Without the
built modules the service predicts through the numpy and Python paths: the same numbers, slower
under load (docs/service.md). The package list is given, not discovered: the
repository is not a distribution, and setuptools would refuse its several top-level folders.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNELS = {  # module: source
    "pipeline.passwords.forest_kernel": "pipeline/passwords/forest_kernel.pyx",
    "pipeline.passwords.features_kernel": "pipeline/passwords/features_kernel.pyx",
}


def main() -> int:
    """Build, or say which package is missing; the exit status is the build's."""
    try:
        from Cython.Build import cythonize
        from setuptools import Extension, setup
    except ImportError as err:
        print(
            f"build_kernel: {err.name} is missing; install the locked packages first",
            file=sys.stderr,
        )
        return 1
    os.chdir(ROOT)
    force = "--force" in sys.argv[1:]
    extensions = [Extension(name, [source]) for name, source in KERNELS.items()]
    with tempfile.TemporaryDirectory(prefix="build-kernel-") as temp:
        setup(
            name="forest-kernel",
            packages=[],
            py_modules=[],
            ext_modules=cythonize(extensions, quiet=True, force=force),
            script_args=[
                "--quiet",
                "build_ext",
                "--inplace",
                "--build-temp",
                temp,
                "--build-lib",
                temp,
            ]
            + (["--force"] if force else []),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
