"""Paths and parameters, defined once.

Every path the pipeline writes to derives from the project root, and every hyper-parameter lives in
``params.yaml`` so that a run's settings can be recorded with the model it made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import PipelineError

ROOT = Path(__file__).resolve().parent.parent
PARAMS_FILE = ROOT / "params.yaml"

MIRROR_ENV = "DATA_MIRROR"


@dataclass(frozen=True)
class Paths:
    """Where the pipeline reads and writes.

    Each folder can be moved by an environment variable (``DATA_DIR``, ``MODELS_DIR``,
    ``REPORTS_DIR``), read when a command starts, not at import.
    """

    data: Path = ROOT / "data"
    models: Path = ROOT / "models"
    reports: Path = ROOT / "reports"

    @property
    def raw(self) -> Path:
        """Downloaded files, never modified."""
        return self.data / "raw"

    @property
    def processed(self) -> Path:
        """Everything derived from the raw files."""
        return self.data / "processed"

    @classmethod
    def from_env(cls) -> Paths:
        """The defaults, overridden by whichever variables are set."""
        default = cls()
        return cls(
            data=_env_path("DATA_DIR", default.data),
            models=_env_path("MODELS_DIR", default.models),
            reports=_env_path("REPORTS_DIR", default.reports),
        )


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


class ConfigError(PipelineError, ValueError):
    """A parameter file or setting that the pipeline cannot use; the message says what to fix."""


def data_mirror() -> Path | None:
    """The offline mirror folder named by ``DATA_MIRROR``, if any."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Read ``params.yaml``; a missing or malformed file is a clear error, not a KeyError later."""
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"parameter file {path} not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"parameter file {path} is not valid YAML: {exc}") from exc
    if not isinstance(params, dict):
        raise ConfigError(f"parameter file {path} must hold a mapping of sections")
    return params


def section(params: dict[str, Any], name: str, required: tuple[str, ...]) -> dict[str, Any]:
    """One section of the parameters, checked for the keys the caller relies on."""
    sec = params.get(name)
    if not isinstance(sec, dict):
        raise ConfigError(f"params.yaml has no '{name}' section")
    missing = [key for key in required if key not in sec]
    if missing:
        raise ConfigError(f"params.yaml section '{name}' lacks: {', '.join(missing)}")
    return sec


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override``'s values, merged key by key where both hold a mapping."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
