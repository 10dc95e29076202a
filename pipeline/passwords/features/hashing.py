"""Stable 64-bit hashes of strings, and sorted hash tables read one key at a time.

The known list, the dictionaries and the prefix families are all held as hashes: the artifact
ships no plaintext list, and a lookup is an integer search.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

_BLAKE2B_8 = hashlib.blake2b(digest_size=8)
_SIGN = 1 << 63  # signed 64-bit key + _SIGN: the same order, as an unsigned number
ENCODING = ("utf-8", "surrogatepass")  # the bytes a string is hashed as (lone surrogates too)


def hash64(text: str) -> int:
    """A stable signed 64-bit key for a string (numpy's int64): BLAKE2b with an 8-byte digest.

    A ready hasher is copied rather than made anew: one served password hashes ~20 strings.
    """
    hasher = _BLAKE2B_8.copy()
    hasher.update(text.encode(*ENCODING))
    return int.from_bytes(hasher.digest(), "little", signed=True)


def hash_all(passwords: Sequence[str]) -> np.ndarray:
    """``hash64`` of each password, as an int64 array."""
    return np.fromiter((hash64(p) for p in passwords), dtype=np.int64, count=len(passwords))


class Hashes(dict):
    """``hashes[s]``: ``hash64(s)``, computed once per string for one served password (its
    lowercase form is a dictionary variant, a transform and a family prefix at once).
    """

    def __missing__(self, text: str) -> int:
        value = self[text] = hash64(text)
        return value


def python_view(values: np.ndarray, dtype: type) -> memoryview:
    """The array as a memoryview: its items are Python ints or floats, read without a numpy call.

    The view keeps its array alive; no copy is made when the array already has that type.
    """
    return memoryview(np.ascontiguousarray(values, dtype=dtype))


def sorted_lookup(keys: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batch lookup in sorted ``keys``: each hash's position (clamped) and whether it is there."""
    if len(keys) == 0:
        return np.zeros(len(hashes), dtype=np.int64), np.zeros(len(hashes), dtype=bool)
    pos = np.minimum(keys.searchsorted(hashes), len(keys) - 1)
    return pos, keys[pos] == hashes


class HashBuckets:
    """A sorted array of 64-bit hash keys with a directory by their top bits, for single lookups.

    A binary search reads ~18 cache lines per query, one after the other; under load they are
    misses, and one served password makes ~20 such lookups. Hashes are uniform, so the top bits of
    a key say where it sits: the directory holds the first position of each top-bits value, and a
    lookup reads the directory and a run of ~4 keys (``benchmarks.password_predict`` times it).
    Results equal ``np.searchsorted`` hits. Built at load, never saved.
    """

    def __init__(self, keys: np.ndarray, keys_per_bucket: int = 4) -> None:
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        self.bits = max(1, math.ceil(math.log2(max(len(keys) / keys_per_bucket, 2))))
        self._shift = 64 - self.bits
        top = (keys.view(np.uint64) ^ np.uint64(_SIGN)) >> np.uint64(self._shift)
        starts = np.searchsorted(top, np.arange((1 << self.bits) + 1, dtype=np.uint64))
        self._keys = python_view(keys, np.int64)
        self._starts = python_view(starts, np.int32 if len(keys) < 2**31 else np.int64)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, int]:
        """The sorted keys, the directory (as int64) and the shift of the top bits: what a
        compiled lookup reads (:mod:`pipeline.passwords.features.compiled`). The keys are shared.
        """
        return np.asarray(self._keys), np.asarray(self._starts).astype(np.int64), self._shift

    def find(self, hashes: list[int]) -> list[int]:
        """Position of each hash among the keys, -1 where absent."""
        keys, starts, shift = self._keys, self._starts, self._shift
        out = []
        for h in hashes:
            b = (h + _SIGN) >> shift
            end = starts[b + 1]
            i = bisect_left(keys, h, starts[b], end)
            out.append(i if i < end and keys[i] == h else -1)
        return out
