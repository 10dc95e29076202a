"""The JSON API: ``POST /predict``, the Hat protocol (``GET /explain``, ``GET /guess``), health,
version and the OpenAPI description.

Views only parse, call :mod:`app.service` and serialise; validation happens here, at the
boundary, and every bad input gets a 400 that names the problem. Passwords are never echoed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from app import inputs, service
from app.errors import BadInputError
from app.json_answer import json_answer
from app.model_store import get_models
from app.openapi import spec

api = Blueprint("api", __name__)


def _settings() -> Any:
    return current_app.config["SETTINGS"]


@api.post("/predict")
def predict():
    """One password (``{"password": ...}``) or a batch (``{"passwords": [...]}``)."""
    body = inputs.json_body(request)
    if body is None:
        raise BadInputError("the body must be JSON (Content-Type: application/json), UTF-8 encoded")
    if not isinstance(body, dict) or ("password" in body) == ("passwords" in body):
        raise BadInputError('the body must be an object with either "password" or "passwords"')
    limit = _settings().max_password_chars
    if "password" in body:
        password = inputs.check_password(body["password"], '"password"', limit)
        (assessed,) = service.assess([password])
        return json_answer({**assessed, "model_version": service.password_version()})
    batch = inputs.check_batch(body["passwords"], _settings().max_batch)
    checked = [inputs.check_password(p, f'"passwords"[{i}]', limit) for i, p in enumerate(batch)]
    predictions = service.assess(checked)
    return json_answer({"predictions": predictions, "model_version": service.password_version()})


@api.get("/explain")
def explain():
    """Clues for ``word``: the host's remote-player protocol, a JSON list of strings."""
    word = inputs.check_word(request.args.get("word"))
    n = inputs.parse_n_words(request.args.get("n_words"))
    return jsonify(service.explain(word, n))


@api.get("/guess")
def guess():
    """Guesses from the clues ``words`` (repeated parameter), a JSON list of strings."""
    words = inputs.check_clues(request.args.getlist("words"))
    n = inputs.parse_n_words(request.args.get("n_words"))
    return jsonify(service.guess(words, n))


@api.get("/health")
def health():
    """``ok`` with both model versions, or 503 naming what is not loaded."""
    models = get_models()
    body: dict[str, Any] = {"models": models.versions}
    if models.problems:
        body |= {"status": "unavailable", "reason": models.problems}
        return jsonify(body), 503
    return jsonify({"status": "ok", **body})


# what /version tells about each model: enough to trace it to its data, code and parameters
TRACE_FIELDS = ("version", "created_at", "git_commit", "data", "params")


@api.get("/version")
def version():
    """Each served model's version, training time, git commit, data and parameters."""
    models = get_models()
    return jsonify(
        {
            name: {k: models.metadata.get(name, {}).get(k) for k in TRACE_FIELDS}
            for name in models.versions
        }
    )


@api.get("/openapi.json")
def openapi():
    """The API's OpenAPI 3 description (the same contract the tests fuzz)."""
    settings = _settings()
    return jsonify(spec(settings.max_password_chars, settings.max_batch))
