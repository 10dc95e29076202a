"""The service's operations over the production models, shared by the API and the web page.

Each call records its model metrics, so a prediction counts the same whichever face served it.
"""

from __future__ import annotations

import math
from typing import Any

from app.errors import ModelUnavailableError
from app.metrics import model_metrics
from app.model_store import get_models
from pipeline.hat.player import HatPlayer
from pipeline.passwords.model import PasswordModel
from pipeline.passwords.strength import band


def _loaded(name: str, what: str) -> Any:
    models = get_models()
    model = models.get(name)
    if model is None:
        raise ModelUnavailableError(f"{what} not loaded: {models.problems.get(name)}")
    return model


def _password_model() -> PasswordModel:
    return _loaded("passwords", "password model")


def _player() -> HatPlayer:
    return _loaded("hat", "Hat model")


def assess(passwords: list[str]) -> list[dict[str, Any]]:
    """Each password as the API returns it, in input order: how often it occurs per million
    leaked passwords, its strength band, the guesses an attacker would need, and feedback.
    """
    model = _password_model()
    if len(passwords) == 1:  # the usual request: a float, without an array to build and unpack
        frequencies = [model.predict(passwords[0])]
    else:
        frequencies = [float(f) for f in model.predict(passwords)]
    model_metrics().observe_predictions(frequencies)
    out = []
    for password, frequency in zip(passwords, frequencies, strict=True):
        name, _ = band(frequency)
        guesses = model.guesses(frequency)
        out.append(
            {
                "frequency_per_million": float(frequency),
                "strength": name,
                "guesses": guesses,
                "guesses_log10": math.log10(guesses) if guesses > 0 else 0.0,
                "feedback": model.advise(password, frequency, name).as_dict(),
            }
        )
    return out


def password_version() -> str | None:
    """The served password model's version."""
    return get_models().versions.get("passwords")


def explain(word: str, n_words: int) -> list[str]:
    """Clues for ``word``."""
    player = _player()
    clues = player.explain(word, n_words)
    model_metrics().observe_hat("explain", 1, int(not player.knows(word)))
    return clues


def guess(words: list[str], n_words: int) -> list[str]:
    """Guesses from the clues ``words``."""
    player = _player()
    guesses = player.guess(words, n_words)
    unknown = sum(not player.knows(w) for w in words)
    model_metrics().observe_hat("guess", len(words), unknown)
    return guesses
