"""The JSON API: ``POST /predict``, the Hat protocol (``GET /explain``, ``GET /guess``), health.

Views only parse, call the models and serialise; validation happens here, at the boundary, and
every bad input gets a 400 that names the problem. Passwords are never echoed or logged.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from app.errors import BadInputError, ModelUnavailableError
from app.models import get_models
from pipeline.passwords.strength import band

api = Blueprint("api", __name__)
MAX_N_WORDS = 100


def _settings() -> Any:
    return current_app.config["SETTINGS"]


def _check_password(value: object, where: str) -> str:
    limit = _settings().max_password_chars
    if not isinstance(value, str):
        raise BadInputError(f"{where} must be a string")
    if value == "":
        raise BadInputError(f"{where} is empty")
    if len(value) > limit:
        raise BadInputError(f"{where} is longer than {limit} characters")
    return value


def _prediction(frequency: float) -> dict[str, Any]:
    name, _ = band(frequency)
    return {"frequency_per_million": float(frequency), "strength": name}


@api.post("/predict")
def predict():
    """One password (``{"password": ...}``) or a batch (``{"passwords": [...]}``)."""
    body = request.get_json(silent=True)
    if body is None:
        raise BadInputError("the body must be JSON (Content-Type: application/json), UTF-8 encoded")
    if not isinstance(body, dict) or ("password" in body) == ("passwords" in body):
        raise BadInputError('the body must be an object with either "password" or "passwords"')
    model = get_models().passwords
    if model is None:
        raise ModelUnavailableError(
            f"password model not loaded: {get_models().problems.get('passwords')}"
        )
    version = get_models().versions["passwords"]
    if "password" in body:
        password = _check_password(body["password"], '"password"')
        return jsonify({**_prediction(model.predict(password)), "model_version": version})
    batch = body["passwords"]
    limit = _settings().max_batch
    if not isinstance(batch, list) or not 1 <= len(batch) <= limit:
        raise BadInputError(f'"passwords" must be a list of 1 to {limit} strings')
    checked = [_check_password(p, f'"passwords"[{i}]') for i, p in enumerate(batch)]
    predictions = [_prediction(f) for f in model.predict(checked)]
    return jsonify({"predictions": predictions, "model_version": version})


def _n_words() -> int:
    raw = request.args.get("n_words")
    if raw is None or raw.strip() == "":
        raise BadInputError("n_words is required")
    try:
        n = int(raw)
    except ValueError:
        raise BadInputError("n_words must be a whole number") from None
    if not 1 <= n <= MAX_N_WORDS:
        raise BadInputError(f"n_words must be between 1 and {MAX_N_WORDS}")
    return n


def _player() -> Any:
    player = get_models().hat
    if player is None:
        raise ModelUnavailableError(f"Hat model not loaded: {get_models().problems.get('hat')}")
    return player


@api.get("/explain")
def explain():
    """Clues for ``word``: the host's remote-player protocol, a JSON list of strings."""
    word = request.args.get("word", "")
    if not word.strip():
        raise BadInputError("word is required")
    n = _n_words()
    return jsonify(_player().explain(word, n))


@api.get("/guess")
def guess():
    """Guesses from the clues ``words`` (repeated parameter), a JSON list of strings."""
    words = [w for w in request.args.getlist("words") if w.strip()]
    if not words:
        raise BadInputError("words is required (repeat it for each clue: words=a&words=b)")
    n = _n_words()
    return jsonify(_player().guess(words, n))


@api.get("/health")
def health():
    """``ok`` with both model versions, or 503 naming what is not loaded."""
    models = get_models()
    body: dict[str, Any] = {"models": models.versions}
    if models.problems:
        body |= {"status": "unavailable", "reason": models.problems}
        return jsonify(body), 503
    return jsonify({"status": "ok", **body})
