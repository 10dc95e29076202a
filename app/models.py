"""The production models, loaded once per process when the app is built.

``init_app`` loads what ``models/registry.json`` names; a model that cannot be loaded is recorded
with its reason, so ``/health`` answers 503 saying why instead of the process failing to start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import Flask, current_app

from pipeline.hat.player import HatPlayer
from pipeline.passwords.model import PasswordModel
from pipeline.registry import production_dir, read_metadata


@dataclass
class Models:
    """What the service serves, with versions and load problems."""

    passwords: PasswordModel | None = None
    hat: HatPlayer | None = None
    versions: dict[str, str | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    load_seconds: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, dict] = field(default_factory=dict)


def load_models(models_dir) -> Models:
    """Load both production models; failures are recorded, not raised."""
    models = Models()
    loaders = {
        "passwords": lambda d: PasswordModel.load(d),
        "hat": lambda d: HatPlayer.load(d / "player"),
    }
    for name, load in loaders.items():
        start = time.perf_counter()
        try:
            folder = production_dir(models_dir, name)
            setattr(models, name, load(folder))
            models.versions[name] = folder.name
            models.metadata[name] = read_metadata(folder)
        except Exception as exc:
            models.versions[name] = None
            models.problems[name] = f"{type(exc).__name__}: {exc}"
        models.load_seconds[name] = time.perf_counter() - start
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
