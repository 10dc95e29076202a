"""External programs the tests drive (chromium, prometheus, hadolint, ...), and what is built."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest


def missing(name: str, install: str) -> NoReturn:
    """A failure under CI, which must not pass by lacking a tool or a build, and a skip
    elsewhere; both say how to ``install`` it.
    """
    if os.environ.get("CI"):
        pytest.fail(f"{name} is missing: {install}")
    pytest.skip(f"{name} is not installed ({install})")


def require_program(name: str, install: str, path: str | None = None) -> str:
    """The program's path (``path``, or ``name`` looked up on PATH), or :func:`missing`."""
    found = path if path is not None and Path(path).exists() else shutil.which(name)
    if found is None:
        missing(name, install)
    return found


def require_kernel() -> None:
    """The compiled forest kernel is built, or :func:`missing`."""
    from pipeline.passwords import forest

    if forest.KERNEL != "compiled":
        missing("the compiled forest kernel", "python scripts/build_kernel.py")


def require_feature_kernel() -> None:
    """The compiled one-row feature kernel is built, or :func:`missing`."""
    from pipeline.passwords.features import compiled

    if compiled.KERNEL != "compiled":
        missing("the compiled feature kernel", "python scripts/build_kernel.py")
