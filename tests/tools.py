"""External programs the tests drive (chromium, prometheus, hadolint, ...)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require_program(name: str, install: str, path: str | None = None) -> str:
    """The program's path (``path``, or ``name`` looked up on PATH). When it is missing: a
    failure under CI, which must not pass by lacking a tool, and a skip elsewhere; both say how
    to ``install`` it.
    """
    found = path if path is not None and Path(path).exists() else shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: {install}")
        pytest.skip(f"{name} is not installed ({install})")
    return found
