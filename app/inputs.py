"""Validation of user input, shared by the JSON API and the web page.

Each check raises :class:`BadInputError` with a message that names the problem and what to send
instead; a message never quotes the password.
"""

from __future__ import annotations

import re

from app.errors import BadInputError

MAX_N_WORDS = 100
_CLUE_SEPARATORS = re.compile(r"[\s,;]+")


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
