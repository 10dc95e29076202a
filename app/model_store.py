"""The production models, loaded once per process when the app is built.

``init_app`` loads what ``models/registry.json`` names for every model of
:mod:`pipeline.catalog`; a model that cannot be loaded is recorded with its reason, so ``/health``
answers 503 saying why instead of the process failing to start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from pipeline import catalog
from pipeline.registry.store import production_dir, read_metadata


@dataclass
class Models:
    """What the service serves (``loaded[name]``), with versions and load problems."""

    loaded: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    load_seconds: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, dict] = field(default_factory=dict)

    def get(self, name: str) -> Any | None:
        """The loaded model ``name``, None when it did not load."""
        return self.loaded.get(name)


def load_models(models_dir: Path) -> Models:
    """Load every production model; failures are recorded, not raised."""
    models = Models()
    for model in catalog.MODELS:
        start = time.perf_counter()
        try:
            folder = production_dir(models_dir, model.name)
            models.loaded[model.name] = model.load(folder)
            models.versions[model.name] = folder.name
            models.metadata[model.name] = read_metadata(folder)
        except Exception as exc:
            models.versions[model.name] = None
            models.problems[model.name] = f"{type(exc).__name__}: {exc}"
        models.load_seconds[model.name] = time.perf_counter() - start
    return models


def init_app(app: Flask) -> None:
    """Load the models into the app once."""
    app.extensions["models"] = load_models(app.config["SETTINGS"].models_dir)


def get_models() -> Models:
    """The current app's models."""
    return current_app.extensions["models"]


def get_models_of(app: Flask) -> Models:
    """``app``'s models, outside a request."""
    return app.extensions["models"]
