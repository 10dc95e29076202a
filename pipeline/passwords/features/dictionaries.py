"""Dictionaries: the password's rank in zxcvbn's ranked word lists (common passwords of other
leaks, English words, names, film and TV), lowercased and as letters only, un-leeted.

The lists carry zxcvbn's knowledge at the cost of a few hashed lookups, where a full zxcvbn call
would cost far more per password (``benchmarks.password_predict`` shows the served path's time).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipeline.passwords.features import compiled
from pipeline.passwords.features.base import MISSING
from pipeline.passwords.features.hashing import (
    ENCODING,
    HashBuckets,
    Hashes,
    hash64,
    hash_all,
    python_view,
    sorted_lookup,
)
from pipeline.passwords.features.strings import LEET, lower_letters

# zxcvbn's ranked word lists (sorted names; checked against zxcvbn when a model is fit)
DICTIONARIES = (
    "english_wikipedia",
    "female_names",
    "male_names",
    "passwords",
    "surnames",
    "us_tv_and_film",
)
WORD_LISTS = frozenset(DICTIONARIES) - {"passwords"}  # words and names, for feedback
VARIANTS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("lower", str.lower),
    ("letters", lambda p: lower_letters(p.lower().translate(LEET))),
)
NAMES = tuple(f"dict_{v}_{d}" for v, _ in VARIANTS for d in DICTIONARIES)


@dataclass
class Dictionaries:
    """zxcvbn's ranked dictionaries as hashes: ``ranks[i, d]`` is the rank of the word hashed
    ``keys[i]`` in ``DICTIONARIES[d]`` (0: not there). Sorted by key for binary search.

    Saved with the model, so serving does not import zxcvbn (whose other data the features never
    read) and a model keeps the word lists it was trained with.
    """

    keys: np.ndarray
    ranks: np.ndarray

    @classmethod
    def from_zxcvbn(cls) -> Dictionaries:
        """Index zxcvbn's installed dictionaries."""
        from zxcvbn import matching as zx_matching

        names = tuple(sorted(zx_matching.RANKED_DICTIONARIES))
        if names != DICTIONARIES:
            raise RuntimeError(f"zxcvbn's dictionaries changed: {names}, expected {DICTIONARIES}")
        ranks: dict[int, list[int]] = {}
        for d, name in enumerate(DICTIONARIES):
            for word, rank in zx_matching.RANKED_DICTIONARIES[name].items():
                ranks.setdefault(hash64(word), [0] * len(DICTIONARIES))[d] = int(rank)
        keys = np.fromiter(ranks.keys(), dtype=np.int64, count=len(ranks))
        table = np.array(list(ranks.values()), dtype=np.int32).reshape(-1, len(DICTIONARIES))
        order = np.argsort(keys)
        return cls(keys[order], table[order])

    def log_ranks(self, hashes: np.ndarray) -> list[list[float]]:
        """Per hashed string: log10 of its rank in each dictionary, MISSING where absent."""
        pos, present = sorted_lookup(self.keys, hashes)
        found = present.tolist()
        rows = self.ranks[pos].tolist()
        empty = [MISSING] * len(DICTIONARIES)
        return [
            [math.log10(r) if r else MISSING for r in row] if hit else empty
            for hit, row in zip(found, rows, strict=True)
        ]


@lru_cache(maxsize=1)
def zxcvbn_dictionaries() -> Dictionaries:
    """The installed zxcvbn's dictionaries (imports zxcvbn; used when a model is fit)."""
    return Dictionaries.from_zxcvbn()


class DictionaryLookup:
    """:class:`Dictionaries` arranged for one password at a time (serving): bucketed keys and the
    ranks as a memoryview, so a lookup and its values cost no numpy call.
    """

    def __init__(self, dictionaries: Dictionaries) -> None:
        self.keys = HashBuckets(dictionaries.keys)
        self.ranks = python_view(dictionaries.ranks.reshape(-1), np.int32)  # row-major
        # per key: in a list of words or names (1.0) or only in others (0.0), for the feedback
        columns = [d for d, name in enumerate(DICTIONARIES) if name in WORD_LISTS]
        words = (dictionaries.ranks.reshape(-1, len(DICTIONARIES))[:, columns] > 0).any(axis=1)
        self._words = python_view(words, np.uint8)
        self._compiled_words = compiled.hashed_values(
            (self.keys.arrays(), words.astype(np.float64), None)
        )

    def is_word(self, text: str) -> bool:
        """Whether ``text`` is in a list of words or names (not zxcvbn's list of passwords)."""
        if self._compiled_words is not None:
            return self._compiled_words.get(text.encode(*ENCODING)) == 1.0
        (i,) = self.keys.find([hash64(text)])
        return i >= 0 and self._words[i] == 1


def batch(passwords: Sequence[str], dictionaries: Dictionaries) -> np.ndarray:
    """log10 ranks of each password's variants in every dictionary; the empty variant is in none."""
    variants = [variant(p) for p in passwords for _, variant in VARIANTS]
    logs = dictionaries.log_ranks(hash_all(variants))
    absent = [MISSING] * len(DICTIONARIES)
    ranks = [row if v else absent for v, row in zip(variants, logs, strict=True)]
    return np.array(ranks, dtype=np.float64).reshape(len(passwords), len(NAMES))


def one(p: str, lookup: DictionaryLookup, hashes: Hashes) -> list[float]:
    """:func:`batch` for one password."""
    variants = [variant(p) for _, variant in VARIANTS]
    width = len(DICTIONARIES)
    out: list[float] = []
    for v, i in zip(variants, lookup.keys.find([hashes[v] for v in variants]), strict=True):
        if v and i >= 0:
            ranks = lookup.ranks[i * width : (i + 1) * width].tolist()
            out += [math.log10(r) if r else MISSING for r in ranks]
        else:
            out += [MISSING] * width
    return out


def dictionary_features(p: str, dictionaries: Dictionaries | None = None) -> list[float]:
    """:func:`batch` of one password, by the batch path (zxcvbn's installed lists by default)."""
    return batch([p], dictionaries or zxcvbn_dictionaries())[0].tolist()
