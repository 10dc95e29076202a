"""Feedback a person can act on: why a password is weak and what to change.

Built from what the model knows, the way zxcvbn words it: the password is in the leaked list (and
how common it is), it is a listed password with a small edit (capitals, digits or a year
appended, symbols for look-alike letters, reversed), it is a dictionary word or a name, a keyboard
row, a repeat or a sequence, or it is short. A password the model rates strong gets no warning.
No message ever quotes the password or a part of it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.passwords.features.strings import (
    LEET,
    letters,
    strip_tail_digits,
    strip_tail_nonalpha,
)

MIN_LENGTH = 8
KEYBOARD_ROWS = ("`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./")
_YEAR_TAIL = re.compile(r"(19|20)\d\d[^A-Za-z0-9]*$")
_RUN = 4  # characters in a row that make a pattern


@dataclass(frozen=True)
class Feedback:
    """A warning (None: nothing to warn about) and suggestions, in plain words."""

    warning: str | None
    suggestions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The JSON the API answers."""
        return {"warning": self.warning, "suggestions": list(self.suggestions)}


def _rank_words(rank: float) -> str:
    for top in (10, 100, 1000, 10_000, 100_000, 1_000_000):
        if rank <= top:
            return f"This is a top-{top:,} common password."
    return "This password is in lists of leaked passwords."


def _windows(text: str) -> set[str]:
    return {text[i : i + _RUN] for i in range(len(text) - _RUN + 1)}


def _both_ways(lines: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(_windows(line) | _windows(line[::-1]) for line in lines))


# every run of _RUN neighbouring keys or counting characters, either way: one set lookup a window
_KEYBOARD = _both_ways(KEYBOARD_ROWS)
_SEQUENCES = _both_ways((string.ascii_lowercase, string.digits))
_FOUR_SAME = re.compile(r"(.)\1{3}")
# what a keyboard row (four or more neighbouring keys of one row, either way), a repeat and a
# sequence (four or more letters or digits counting up or down) warn and suggest, in that order
_PATTERNS = (
    ("Rows of keys on the keyboard are easy to guess.", "Avoid keyboard rows."),
    ("Repeated characters or chunks are easy to guess.", "Avoid repeats."),
    ("Letters or numbers in sequence are easy to guess.", "Avoid sequences."),
)


def repeated(p: str) -> bool:
    """One character four times over, or the password is a shorter unit repeated."""
    return bool(_FOUR_SAME.search(p)) or (len(p) >= 2 and p in (p + p)[1:-1])


def edits(p: str) -> list[tuple[str, str]]:
    """The small edits a listed password may hide behind: (what was done, the base string)."""
    out = []
    lower = p.lower()
    if lower != p:
        out.append(("capital letters", lower))
    base = strip_tail_nonalpha(p)
    if base and base != p:
        edit = "a year appended" if _YEAR_TAIL.search(p) else "digits or symbols appended"
        out += [(edit, base), (edit, base.lower())]
    digits_off = strip_tail_digits(p)
    if digits_off and digits_off not in (p, base):
        out.append(("digits appended", digits_off))
    unleet = lower.translate(LEET)
    if unleet != lower:
        out.append(("symbols for look-alike letters", unleet))
        unleet_base = strip_tail_nonalpha(unleet) or unleet
        if unleet_base != unleet:
            out.append(("symbols for look-alike letters", unleet_base))
    if len(p) > 2 and p[::-1] != p:
        out.append(("its letters reversed", p[::-1]))
    return out


def advise(
    p: str,
    band: str,
    listed_rank: Callable[[str], float | None],
    in_dictionary: Callable[[str], bool],
) -> Feedback:
    """The feedback on ``p``, whose served strength ``band`` is known: ``listed_rank(s)`` is the
    rank of ``s`` in the leaked list (None: not listed), ``in_dictionary(s)`` whether ``s`` is a
    dictionary word or a name.
    """
    if band == "strong":
        return Feedback(None, [])
    warning: str | None = None
    suggestions: list[str] = []
    rank = listed_rank(p)
    if rank is not None:
        warning = _rank_words(rank)
        suggestions.append("Pick a password no one else uses: a few uncommon words together.")
    else:
        for what, base in edits(p):
            if listed_rank(base) is not None:
                warning = f"This is a common password with {what}."
                suggestions.append(
                    "Small changes to a common password are tried early; "
                    "choose something new instead."
                )
                break
    words = letters(p).lower()
    if warning is None and words and (in_dictionary(p.lower()) or in_dictionary(words)):
        warning = "A word or a name on its own is easy to guess."
        suggestions.append("Add another word or two. Uncommon words are better.")
    windows = _windows(p.lower())  # keyboard rows and sequences look at the same windows
    found = (
        not _KEYBOARD.isdisjoint(windows),
        repeated(p),
        not _SEQUENCES.isdisjoint(windows),
    )
    for hit, (warn, suggest) in zip(found, _PATTERNS, strict=True):
        if hit:
            warning = warning or warn
            suggestions.append(suggest)
    if len(p) < MIN_LENGTH:
        warning = warning or "Short passwords are easy to guess."
        suggestions.append(f"Use at least {MIN_LENGTH} characters; longer is better.")
    if warning is None:
        warning = "This password looks like ones people commonly choose."
    if not suggestions:
        suggestions.append("Add another word or two. Uncommon words are better.")
    if _YEAR_TAIL.search(p):
        suggestions.append("Avoid years and dates people can link to you.")
    return Feedback(warning, list(dict.fromkeys(suggestions)))
