"""What every artifact records of its making: the code's commit and the libraries' versions, so a
model can be traced to the code that built it and reloaded with the libraries it was built with.
"""

from __future__ import annotations

import platform
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pipeline.config import ROOT

PACKAGES = ("numpy", "pandas", "scikit-learn", "scipy", "joblib", "zxcvbn", "gensim", "nltk")


def library_versions() -> dict[str, str]:
    """Python's version and each package's installed version ("missing" if not installed)."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def git_commit() -> str:
    """The commit the code was run from, with ``-dirty`` when the work tree had changes."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("-dirty" if dirty else "")


def base_metadata(name: str, version: str) -> dict[str, Any]:
    """The fields every model's metadata starts with."""
    return {
        "name": name,
        "version": version,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_commit": git_commit(),
        "libraries": library_versions(),
    }
