"""Validation of user input, shared by the JSON API and the web page.

Each check raises :class:`BadInputError` with a message that names the problem and what to send
instead; a message never quotes the password.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Request, current_app

from app.errors import BadInputError

MAX_N_WORDS = 100
_CLUE_SEPARATORS = re.compile(r"[\s,;]+")


def json_body(request: Request) -> Any | None:
    """The body parsed as JSON, None when it is not JSON: ``request.get_json(silent=True)``.

    The usual request (``Content-Type: application/json`` and a ``Content-Length`` within the
    limit) is read from the WSGI input in one call and parsed with the app's JSON loader; werkzeug's
    path reads it through a limiting stream and parses the content type on the way, many small
    steps that weighed on ``/predict`` (benchmarks/RESULTS.md has the A/B). Any other request
    takes werkzeug's path, which also answers the 413 for an oversized body. The input is the
    server's, so the worker's read deadline (``app/worker.py``) still applies.
    """
    environ = request.environ
    length = environ.get("CONTENT_LENGTH", "")
    limit = request.max_content_length
    if (
        environ.get("CONTENT_TYPE") != "application/json"
        or not length.isdigit()
        or not length.isascii()
        or (limit is not None and int(length) > limit)
    ):
        return request.get_json(silent=True)
    data = environ["wsgi.input"].read(int(length))
    try:
        return current_app.json.loads(data)
    except ValueError:  # not JSON, or not UTF-8/16/32: what get_json(silent=True) answers
        return None


def check_password(value: object, where: str, limit: int) -> str:
    """A non-empty string of at most ``limit`` characters."""
    if not isinstance(value, str):
        raise BadInputError(f"{where} must be a string")
    if value == "":
        raise BadInputError(f"{where} is empty")
    if len(value) > limit:
        raise BadInputError(f"{where} is longer than {limit} characters")
    return value


def check_batch(value: object, limit: int) -> list:
    """A list of 1 to ``limit`` items (each checked by :func:`check_password`)."""
    if not isinstance(value, list) or not 1 <= len(value) <= limit:
        raise BadInputError(f'"passwords" must be a list of 1 to {limit} strings')
    return value


def parse_n_words(raw: str | None) -> int:
    """``n_words`` as the Hat host sends it: a whole number from 1 to 100."""
    if raw is None or raw.strip() == "":
        raise BadInputError("n_words is required")
    try:
        n = int(raw)
    except ValueError:
        raise BadInputError("n_words must be a whole number") from None
    if not 1 <= n <= MAX_N_WORDS:
        raise BadInputError(f"n_words must be between 1 and {MAX_N_WORDS}")
    return n


def check_word(raw: str | None) -> str:
    """The word to explain: present and not blank."""
    if raw is None or not raw.strip():
        raise BadInputError("word is required")
    return raw


def check_clues(words: list[str]) -> list[str]:
    """The clues to guess from, blanks dropped; at least one."""
    kept = [w for w in words if w.strip()]
    if not kept:
        raise BadInputError("words is required (repeat it for each clue: words=a&words=b)")
    return kept


def split_clues(text: str) -> list[str]:
    """Clues typed in one box on the web page, separated by spaces, commas or semicolons."""
    return [w for w in _CLUE_SEPARATORS.split(text) if w]
