"""The Flask service: JSON predictions and the Hat protocol over the production models.

Built by :func:`create_app`; nothing is loaded or configured at import time. Still to come
(issue 4): the web page, Prometheus metrics, OpenAPI, gunicorn config, Docker and Heroku files.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from app import errors, models
from app.api import api
from app.settings import Settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by ``config`` (tests)."""
    app = Flask(__name__)
    settings = Settings.from_env().override(config or {})
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    errors.init_app(app)
    models.init_app(app)
    app.register_blueprint(api)
    return app
