"""Transforms: how often a transformed version of the password is itself listed
(``Monkey12`` -> ``monkey``, ``12``, ``21yeknoM``, un-leeted ...), as the log of its weight.

A transform that leaves the password unchanged gives MISSING, which keeps known and unknown
passwords on the same footing (a listed password never counts itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from pipeline.passwords.features.base import MISSING
from pipeline.passwords.features.hashing import HashBuckets, Hashes, hash_all, python_view
from pipeline.passwords.features.known import KnownList
from pipeline.passwords.features.strings import (
    LEET,
    digits,
    letters,
    strip_head_digits,
    strip_tail_digits,
    strip_tail_nonalpha,
)

TRANSFORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("lower", str.lower),
    ("no_tail_digits", strip_tail_digits),
    ("no_tail_nonalpha", strip_tail_nonalpha),
    ("letters", letters),
    ("digits", digits),
    ("no_head_digits", strip_head_digits),
    ("drop_last", lambda p: p[:-1]),
    ("drop_first", lambda p: p[1:]),
    ("unleet", lambda p: p.lower().translate(LEET)),
    ("reversed", lambda p: p[::-1]),
    ("half", lambda p: p[: len(p) // 2] if len(p) % 2 == 0 else p),
)
NAMES = tuple(f"known_{name}" for name, _ in TRANSFORMS)


class TransformLookup:
    """The known list's keys for one password at a time (serving), with each key's weight as the
    log the feature uses, taken here by the batch path's ufunc: the same floats, no numpy call
    per password.
    """

    def __init__(self, known: KnownList) -> None:
        self.keys = HashBuckets(known.keys)
        self.log_units = python_view(np.log(known.units.astype(np.float64)), np.float64)


def batch(passwords: Sequence[str], known: KnownList) -> np.ndarray:
    """Per password and transform: log of the transformed string's weight in ``known``."""
    x = np.full((len(passwords), len(TRANSFORMS)), MISSING)
    flat = x.reshape(-1)  # a view: writes go to x
    asked: list[str] = []
    at: list[int] = []
    for r, p in enumerate(passwords):
        for col, (_, transform) in enumerate(TRANSFORMS):
            v = transform(p)
            if v != p:
                asked.append(v)
                at.append(r * len(TRANSFORMS) + col)
    if asked:
        counts = known.units_of(hash_all(asked))
        found = counts > 0
        values = np.full(len(counts), MISSING)
        values[found] = np.log(counts[found].astype(np.float64))
        flat[at] = values
    return x


def one(p: str, lookup: TransformLookup, hashes: Hashes) -> list[float]:
    """:func:`batch` for one password."""
    asked = [(col, v) for col, (_, transform) in enumerate(TRANSFORMS) if (v := transform(p)) != p]
    logs = [MISSING] * len(TRANSFORMS)
    log_units = lookup.log_units
    for (col, _), i in zip(asked, lookup.keys.find([hashes[v] for _, v in asked]), strict=True):
        if i >= 0:
            logs[col] = log_units[i]
    return logs
