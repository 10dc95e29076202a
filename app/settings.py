"""The service's settings, read once from the environment when the app is built.

``PORT`` and ``WEB_CONCURRENCY`` are gunicorn's (``gunicorn.conf.py`` reads them); the app itself
needs only where the models are and how much to log.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from pipeline.config import Paths


@dataclass(frozen=True)
class Settings:
    """Defaults suit a local run. ``models_dir`` and ``log_level`` come from the environment
    (``MODELS_DIR``, parsed by :class:`pipeline.config.Paths` as for the pipeline, and
    ``LOG_LEVEL``); the limits only from ``create_app(config)``.
    """

    models_dir: Path
    log_level: str = "INFO"
    max_password_chars: int = 256
    max_batch: int = 1000
    max_body_bytes: int = 1 << 20

    @classmethod
    def from_env(cls) -> Settings:
        """``MODELS_DIR`` and ``LOG_LEVEL``."""
        return cls(
            models_dir=Paths.from_env().models,
            log_level=(os.environ.get("LOG_LEVEL") or cls.log_level).upper(),
        )

    @classmethod
    def names(cls) -> frozenset[str]:
        """The settings' keys (lowercase), as ``create_app(config)`` accepts them."""
        return frozenset(f.name for f in fields(cls))

    def override(self, values: dict[str, Any]) -> Settings:
        """A copy with some fields replaced; an unknown key is a TypeError naming it."""
        unknown = sorted(set(values) - self.names())
        if unknown:
            raise TypeError(f"unknown settings {unknown}; the settings are {sorted(self.names())}")
        if "models_dir" in values:
            values = {**values, "models_dir": Path(values["models_dir"])}
        return replace(self, **values)
