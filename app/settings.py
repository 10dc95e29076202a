"""The service's settings, read once from the environment when the app is built."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.config import ROOT


@dataclass(frozen=True)
class Settings:
    """Defaults suit a local run. The first four fields come from environment variables (as
    Heroku and Docker set them); the limits only from ``create_app(config)``.
    """

    models_dir: Path = ROOT / "models"
    port: int = 5000
    log_level: str = "INFO"
    web_concurrency: int = 2
    max_password_chars: int = 256
    max_batch: int = 1000
    max_body_bytes: int = 1 << 20

    @classmethod
    def from_env(cls) -> Settings:
        """``MODELS_DIR``, ``PORT``, ``LOG_LEVEL``, ``WEB_CONCURRENCY``."""
        env = os.environ
        default = cls()
        return cls(
            models_dir=Path(env.get("MODELS_DIR") or default.models_dir),
            port=int(env.get("PORT") or default.port),
            log_level=(env.get("LOG_LEVEL") or default.log_level).upper(),
            web_concurrency=int(env.get("WEB_CONCURRENCY") or default.web_concurrency),
        )

    def override(self, values: dict[str, Any]) -> Settings:
        """A copy with some fields replaced (``create_app(config)``)."""
        if "models_dir" in values:
            values = {**values, "models_dir": Path(values["models_dir"])}
        return replace(self, **values)
