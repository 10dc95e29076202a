"""Versioned model artifacts and the registry that names the production version of each model.

Layout: ``models/<name>/<version>/`` (the artifact files and ``metadata.json``) and
``models/registry.json`` (per model: the production version and every version with its decision).
A version directory is built under a temporary name and renamed into place, and the registry is
replaced in one rename, so an interrupted run leaves the previous production model loadable.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.files import write_json_atomic
from pipeline.registry.lineage import git_commit

REGISTRY_FILE = "registry.json"
METADATA_FILE = "metadata.json"


class RegistryError(PipelineError):
    """The registry or a model directory is missing or unreadable; the message says which."""


def new_version(models_dir: Path, name: str) -> str:
    """A sortable, unique version id: UTC time of creation plus the short commit."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    commit = git_commit()
    version = f"{stamp}-{commit[:7] if commit != 'unknown' else 'nogit'}"
    candidate, n = version, 1
    while (models_dir / name / candidate).exists():
        n += 1
        candidate = f"{version}.{n}"
    return candidate


def save_version(
    models_dir: Path,
    name: str,
    version: str,
    write_files: Callable[[Path], None],
    metadata: dict[str, Any],
) -> Path:
    """Create ``models/<name>/<version>/`` atomically from ``write_files`` and ``metadata``."""
    parent = models_dir / name
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{version}.", suffix=".partial"))
    try:
        write_files(staging)
        write_json_atomic(staging / METADATA_FILE, metadata)
        final = parent / version
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def read_registry(models_dir: Path) -> dict[str, Any]:
    """The registry; empty when none exists yet, an error when it exists but is unreadable."""
    path = models_dir / REGISTRY_FILE
    if not path.exists():
        return {}
    try:
        registry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegistryError(f"{path} is unreadable: {exc}") from exc
    if not isinstance(registry, dict):
        raise RegistryError(f"{path} does not hold a mapping of model names")
    return registry


def production_version(models_dir: Path, name: str) -> str | None:
    """The production version of model ``name``, or None when there is none yet."""
    entry = read_registry(models_dir).get(name)
    return entry.get("production") if isinstance(entry, dict) else None


def production_dir(models_dir: Path, name: str) -> Path:
    """The folder of the production version of ``name``; a clear error when there is none."""
    version = production_version(models_dir, name)
    if version is None:
        raise RegistryError(
            f"no production '{name}' model in {models_dir / REGISTRY_FILE}; "
            f"train one with ./run_all.sh {name}"
        )
    path = models_dir / name / version
    if not path.is_dir():
        raise RegistryError(f"the registry names {path}, which does not exist")
    return path


def read_metadata(version_dir: Path) -> dict[str, Any]:
    """A version's ``metadata.json``."""
    try:
        return json.loads((version_dir / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegistryError(f"{version_dir / METADATA_FILE} is unreadable: {exc}") from exc


def record_version(
    models_dir: Path, name: str, version: str, promoted: bool, reason: str
) -> dict[str, Any]:
    """Add a version to the registry, making it production when promoted; returns the registry."""
    registry = read_registry(models_dir)
    entry = registry.setdefault(name, {"production": None, "versions": {}})
    entry.setdefault("versions", {})[version] = {
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "promoted": promoted,
        "reason": reason,
    }
    if promoted:
        entry["production"] = version
    write_json_atomic(models_dir / REGISTRY_FILE, registry)
    return registry
