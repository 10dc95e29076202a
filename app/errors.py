"""Every error is a JSON ``{"error": "..."}`` with a 4xx/5xx status, never an HTML page."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException


class BadInputError(ValueError):
    """A request the API cannot use; the message names the problem (never the password)."""


class ModelUnavailableError(RuntimeError):
    """A model is not loaded; answered with 503 and the reason."""


def init_app(app: Flask) -> None:
    """Register the JSON error handlers."""

    @app.errorhandler(BadInputError)
    def bad_input(exc: BadInputError):
        return jsonify(error=str(exc)), 400

    @app.errorhandler(ModelUnavailableError)
    def unavailable(exc: ModelUnavailableError):
        return jsonify(error=str(exc)), 503

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {
            404: "no such endpoint",
            405: "method not allowed on this endpoint",
            413: "request body too large",
        }
        message = messages.get(exc.code or 500, exc.description or exc.name)
        return jsonify(error=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")  # request bodies are never logged
        return jsonify(error="internal error"), 500
