"""The service's operations over the production models, shared by the API and the web page.

Each call records its model metrics, so a prediction counts the same whichever face served it.
One-password assessments and guesses go through :mod:`app.coalescing`: under the gevent worker
the requests that are ready together run back to back, the guesses through one matrix product.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from app.coalescing import Coalescer
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
    if len(passwords) == 1:  # the usual request: batched with the others that came with it
        out = [_one_password((model, passwords[0]))]
    else:
        frequencies = [float(f) for f in model.predict(passwords)]
        out = [_answer(model, p, f) for p, f in zip(passwords, frequencies, strict=True)]
    model_metrics().observe_predictions([a["frequency_per_million"] for a in out])
    return out


def _answer(model: PasswordModel, password: str, frequency: float) -> dict[str, Any]:
    name, _ = band(frequency)
    guesses = model.guesses(frequency)
    return {
        "frequency_per_million": float(frequency),
        "strength": name,
        "guesses": guesses,
        "guesses_log10": math.log10(guesses) if guesses > 0 else 0.0,
        "feedback": model.advise(password, frequency, name).as_dict(),
    }


def _assess_each(items: Sequence[tuple[PasswordModel, str]]) -> list[dict[str, Any] | Exception]:
    """One password at a time, back to back (the one-row path: a float, no array to unpack)."""
    out: list[dict[str, Any] | Exception] = []
    for model, password in items:
        try:
            out.append(_answer(model, password, model.predict(password)))
        except Exception as err:  # only this request fails
            out.append(err)
    return out


def _guess_each(items: Sequence[tuple[HatPlayer, list[str], int]]) -> list[list[str] | Exception]:
    """The guesses of each ``(player, words, n_words)``, through one matrix product."""
    player = items[0][0]
    if any(p is not player for p, _, _ in items):  # a model reloaded between two requests
        return [answer for item in items for answer in _guess_each([item])]
    try:
        return list(player.guess_batch([(words, n) for _, words, n in items]))
    except Exception as err:  # these requests fail, not the event loop
        return [err] * len(items)


_one_password = Coalescer(_assess_each)
_one_guess = Coalescer(_guess_each)


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
    guesses = _one_guess((player, words, n_words))
    unknown = sum(not player.knows(w) for w in words)
    model_metrics().observe_hat("guess", len(words), unknown)
    return guesses
