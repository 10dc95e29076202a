"""Strings known to be absent from the password list, to teach the model the censoring.

A list that holds only its head (RockYou's counts >= 23) says nothing about rarer passwords, and a
regressor fit on it alone would call every string at least that common. Strings that are *not* in
the list are evidence too: they occur less often than its rarest entry. We make such strings the
way people make passwords (small edits and joins of listed ones) and the way no one does (random
strings), so the model learns where the head of the distribution ends.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Container, Sequence

ALPHABETS = (
    string.ascii_lowercase,
    string.ascii_lowercase + string.digits,
    string.ascii_letters + string.digits,
    string.ascii_letters + string.digits + string.punctuation,
)


def _random_string(rng: random.Random, _: Sequence[str]) -> str:
    alphabet = rng.choice(ALPHABETS)
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 20)))


def _substitute(rng: random.Random, known: Sequence[str]) -> str:
    p = rng.choice(known) or "x"
    i = rng.randrange(len(p))
    return p[:i] + rng.choice(ALPHABETS[3]) + p[i + 1 :]


def _insert(rng: random.Random, known: Sequence[str]) -> str:
    p = rng.choice(known)
    i = rng.randint(0, len(p))
    return p[:i] + rng.choice(ALPHABETS[3]) + p[i:]


def _append_digits(rng: random.Random, known: Sequence[str]) -> str:
    return rng.choice(known) + "".join(rng.choice(string.digits) for _ in range(rng.randint(2, 4)))


def _join(rng: random.Random, known: Sequence[str]) -> str:
    return rng.choice(known) + rng.choice(known)


def _swap_case(rng: random.Random, known: Sequence[str]) -> str:
    p = rng.choice(known) or "x"
    i = rng.randrange(len(p))
    return p[:i] + p[i].swapcase() + p[i + 1 :]


MAKERS: tuple[Callable[[random.Random, Sequence[str]], str], ...] = (
    _random_string,
    _random_string,
    _substitute,
    _insert,
    _append_digits,
    _join,
    _swap_case,
)


def generate_absent(known: Sequence[str], n: int, seed: int, listed: Container[str]) -> list[str]:
    """``n`` distinct strings, none of them in ``listed`` (the whole list, every split)."""
    if not known:
        return []
    rng = random.Random(seed)
    out: dict[str, None] = {}
    attempts = 0
    while len(out) < n and attempts < 20 * n:
        attempts += 1
        candidate = rng.choice(MAKERS)(rng, known)
        if candidate not in listed:
            out[candidate] = None
    return list(out)
