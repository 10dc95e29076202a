"""Compile the forest's one-row kernel (``pipeline/passwords/forest_kernel.pyx``) in place.

Usage: python scripts/build_kernel.py [--force]   (from anywhere; builds next to the source)

A no-op when the built module is newer than its source. Needs Cython (in Pipfile) and a C
compiler with Python's headers (Debian: gcc and python3-dev; the python:3.11 image has both).
Without the built module the service predicts through the numpy path: the same numbers, slower
under load (docs/service.md). The package list is given, not discovered: the
repository is not a distribution, and setuptools would refuse its several top-level folders.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "pipeline/passwords/forest_kernel.pyx"


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
    extension = Extension("pipeline.passwords.forest_kernel", [SOURCE])
    with tempfile.TemporaryDirectory(prefix="build-kernel-") as temp:
        setup(
            name="forest-kernel",
            packages=[],
            py_modules=[],
            ext_modules=cythonize([extension], quiet=True, force=force),
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
