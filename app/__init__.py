"""The Flask service: JSON predictions, the Hat protocol, a web page, health and metrics.

Built by :func:`create_app`; nothing is loaded or configured at import time, so tests build as
many apps as they need and gunicorn builds one per worker (``wsgi.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from app import errors, json_answer, metrics, model_store, security
from app.api import api
from app.settings import Settings
from app.web import web
from pipeline.passwords import forest
from pipeline.passwords.features import compiled


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by ``config`` (tests).

    ``config`` mixes the project's settings (lowercase keys of :class:`Settings`, e.g.
    ``models_dir``) and Flask's own (uppercase, e.g. ``TESTING``), as flaskr's test config does.
    """
    app = Flask(__name__)
    config = dict(config or {})
    flask_keys = {k: config.pop(k) for k in list(config) if k.isupper()}
    settings = Settings.from_env().override(config)
    app.config.update(flask_keys)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    json_answer.init_app(app)
    app.logger.setLevel(getattr(logging, settings.log_level, logging.INFO))
    errors.init_app(app)
    security.init_app(app)
    model_store.init_app(app)
    metrics.init_app(app, model_store.get_models_of(app))
    app.register_blueprint(api)
    app.register_blueprint(web)
    for name, problem in model_store.get_models_of(app).problems.items():
        app.logger.warning("model %s not loaded: %s", name, problem)
    missing = [
        name
        for name, kernel in (("forest", forest.KERNEL), ("features", compiled.KERNEL))
        if kernel != "compiled"
    ]
    if missing:
        app.logger.warning(
            "the password model's %s kernel is not built (python scripts/build_kernel.py): "
            "one-password predictions take the slower path, the same numbers slower under load",
            " and ".join(missing),
        )
    return app
