"""Shape: the password's length and character make-up, which need no list at all."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from pipeline.passwords.features.strings import DIGITS

NAMES = (
    "length",
    "n_lower",
    "n_upper",
    "n_digit",
    "n_space",
    "n_other",
    "n_unique",
    "n_class_runs",
    "tail_digits",
    "year_tail",
    "all_digits",
    "repeat_ratio",
)

_YEAR_TAIL = re.compile(r"(19|20)\d\d$")
_RUNS = re.compile(r"(.)\1*")


def _char_class(c: str) -> str:
    return "l" if c.islower() else "u" if c.isupper() else "d" if c.isdigit() else "s"


_ASCII_CLASSES = str.maketrans({chr(i): _char_class(chr(i)) for i in range(128)})


def one(p: str) -> list[float]:
    """Character make-up of the password.

    No character is in two of the classes (lower, upper, digit; checked over all of Unicode),
    so the counts are counts of the class names. For an ASCII string one ``translate`` names
    them all at once (most passwords); other strings name them character by character, as a
    table for every Unicode character would be too large.
    """
    classes = p.translate(_ASCII_CLASSES) if p.isascii() else "".join(map(_char_class, p))
    n_lower, n_upper, n_digit = classes.count("l"), classes.count("u"), classes.count("d")
    n_space = p.count(" ")
    n_unique = len(set(p))
    return [
        len(p),
        n_lower,
        n_upper,
        n_digit,
        n_space,
        len(p) - n_lower - n_upper - n_digit - n_space,
        n_unique,
        len(_RUNS.findall(classes)),
        len(p) - len(p.rstrip(DIGITS)),
        float(bool(_YEAR_TAIL.search(p))),
        float(p.isdigit()),
        1.0 - n_unique / len(p) if p else 0.0,
    ]


def batch(passwords: Sequence[str]) -> np.ndarray:
    """:func:`one` of every password, as rows."""
    return np.array([one(p) for p in passwords], dtype=np.float64).reshape(-1, len(NAMES))
