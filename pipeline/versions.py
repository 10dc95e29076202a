"""Library versions recorded with every model, so an artifact can be traced and reloaded."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

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
