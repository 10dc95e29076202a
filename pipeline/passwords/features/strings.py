"""The string transforms the features are built from, defined by regular expressions.

Most passwords are ASCII, where str methods give the same results at a fraction of the cost; other
strings, and strings ending in a newline (before which ``$`` also matches), keep the expressions.
A test checks the two agree on any string.
"""

from __future__ import annotations

import re

LEET = str.maketrans("4@310$5!7", "aaeiossit")

_TAIL_NONALPHA = re.compile(r"[^A-Za-z]+$")
_TAIL_DIGITS = re.compile(r"\d+$")
_HEAD_DIGITS = re.compile(r"^\d+")
_NON_LETTER = re.compile(r"[^A-Za-z]")
_NON_DIGIT = re.compile(r"\D")
_NON_LOWER = re.compile(r"[^a-z]")
_TAIL_NONALPHA_OPT = re.compile(r"[^A-Za-z]*$")

_ASCII = "".join(map(chr, range(128)))
DIGITS = "0123456789"
_ASCII_NON_LETTERS = "".join(_NON_LETTER.findall(_ASCII))
_KEEP_LETTERS = str.maketrans("", "", _ASCII_NON_LETTERS)
_KEEP_DIGITS = str.maketrans("", "", "".join(_NON_DIGIT.findall(_ASCII)))
_KEEP_LOWER = str.maketrans("", "", "".join(_NON_LOWER.findall(_ASCII)))


def _plain(p: str) -> bool:
    return p.isascii() and not p.endswith("\n")


def strip_tail_nonalpha(p: str) -> str:
    """``p`` without its trailing non-letters (``monkey12!`` -> ``monkey``)."""
    return p.rstrip(_ASCII_NON_LETTERS) if _plain(p) else _TAIL_NONALPHA.sub("", p)


def tail_nonalpha(p: str) -> str:
    """The trailing non-letters of ``p`` (``monkey12!`` -> ``12!``)."""
    if _plain(p):
        return p[len(p.rstrip(_ASCII_NON_LETTERS)) :]
    return _TAIL_NONALPHA_OPT.search(p).group()  # type: ignore[union-attr]


def strip_tail_digits(p: str) -> str:
    """``p`` without its trailing digits."""
    return p.rstrip(DIGITS) if _plain(p) else _TAIL_DIGITS.sub("", p)


def strip_head_digits(p: str) -> str:
    """``p`` without its leading digits."""
    return p.lstrip(DIGITS) if p.isascii() else _HEAD_DIGITS.sub("", p)


def letters(p: str) -> str:
    """The ASCII letters of ``p``."""
    return p.translate(_KEEP_LETTERS) if p.isascii() else _NON_LETTER.sub("", p)


def digits(p: str) -> str:
    """The ASCII digits of ``p``."""
    return p.translate(_KEEP_DIGITS) if p.isascii() else _NON_DIGIT.sub("", p)


def lower_letters(p: str) -> str:
    """The lowercase ASCII letters of ``p``."""
    return p.translate(_KEEP_LOWER) if p.isascii() else _NON_LOWER.sub("", p)
