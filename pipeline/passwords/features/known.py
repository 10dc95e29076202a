"""The known list: the listed passwords as 64-bit hashes with their frequencies, and their
prefix families in several views, so neighbour features are integer lookups.

The list is held by hashes, not in clear, so a saved model does not ship a plaintext list of leaked
passwords. (The model is a frequency oracle all the same: a dictionary attack on it works as on
any such model; the hashing only keeps the list itself out of artifacts and images.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from pipeline.passwords.features.hashing import hash64, sorted_lookup

PROGRESS_ROWS = 250_000  # strings between two progress lines of a prefix index
# Views of the known list in which families (all known strings starting with a prefix) are counted.
VIEWS: dict[str, Callable[[str], str]] = {
    "fwd": lambda p: p,
    "rev": lambda p: p[::-1],
    "low": str.lower,
}


@dataclass
class PrefixIndex:
    """Family sizes: per prefix of the known strings, how many start with it and their count sum.

    Keys are hashes, sorted for binary search.
    """

    keys: np.ndarray
    n: np.ndarray
    total: np.ndarray

    @classmethod
    def build(
        cls,
        strings: Sequence[str],
        counts: Sequence[int],
        progress: Callable[[int, int], None] | None = None,
    ) -> PrefixIndex:
        """Index every prefix of every string; ``progress(done, total)`` every
        :data:`PROGRESS_ROWS` strings (a million rows take minutes).
        """
        n: Counter[int] = Counter()
        total: Counter[int] = Counter()
        for row, (s, c) in enumerate(zip(strings, counts, strict=True), start=1):
            for i in range(1, len(s) + 1):
                k = hash64(s[:i])
                n[k] += 1
                total[k] += c
            if progress is not None and row % PROGRESS_ROWS == 0:
                progress(row, len(strings))
        keys = np.fromiter(n.keys(), dtype=np.int64, count=len(n))
        order = np.argsort(keys)
        return cls(
            keys[order],
            _narrow(np.fromiter(n.values(), dtype=np.int64, count=len(n))[order]),
            _narrow(np.fromiter(total.values(), dtype=np.int64, count=len(n))[order]),
        )

    def lookup(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Family size and count sum for each hashed prefix; zeros where nothing starts so."""
        if len(self.keys) == 0:
            return np.zeros(len(hashes), dtype=np.int64), np.zeros(len(hashes), dtype=np.int64)
        pos, found = sorted_lookup(self.keys, hashes)
        n = np.where(found, self.n[pos], 0).astype(np.int64)
        return n, np.where(found, self.total[pos], 0).astype(np.int64)


def _narrow(values: np.ndarray) -> np.ndarray:
    """Non-negative counts in the smallest unsigned type that holds them: the index of a big
    list's sample has millions of prefixes, and its sizes and sums are small integers, so the
    saved model is a third smaller; lookups widen them back to int64.
    """
    top = int(values.max()) if len(values) else 0
    if values.min(initial=0) < 0:
        return values
    return values.astype(np.min_scalar_type(top))


def _say_prefixes(log: Callable[[str], None], view: str, done: int, total: int) -> None:
    log(f"known list, prefixes (view {view}/{len(VIEWS)}): {done:,}/{total:,} strings")


@dataclass
class KnownList:
    """The known passwords as hashes: exact frequencies, integer weights and prefix families.

    ``units`` are frequencies in integer thousandths per million, so that leaving a row out of a
    family is exact integer arithmetic.
    """

    keys: np.ndarray
    units: np.ndarray
    frequencies: np.ndarray
    prefixes: dict[str, PrefixIndex]

    @classmethod
    def build(
        cls,
        passwords: Sequence[str],
        frequencies: Sequence[float],
        log: Callable[[str], None] | None = None,
    ) -> KnownList:
        """Hash the list and index its prefixes in every view (``log`` gets progress lines)."""
        freqs = np.asarray(frequencies, dtype=np.float64)
        units = to_units(freqs)
        keys = np.array([hash64(p) for p in passwords], dtype=np.int64).reshape(-1)
        order = np.argsort(keys)
        prefixes = {}
        for number, (view, f) in enumerate(VIEWS.items(), start=1):
            progress = None if log is None else partial(_say_prefixes, log, f"{view}, {number}")
            prefixes[view] = PrefixIndex.build([f(p) for p in passwords], units.tolist(), progress)
        return cls(keys[order], units[order], freqs[order], prefixes)

    def units_of(self, hashes: np.ndarray) -> np.ndarray:
        """The weight of each hashed password, 0 when unknown."""
        pos, found = sorted_lookup(self.keys, hashes)
        return np.where(found, self.units[pos] if len(self.units) else 0, 0)

    def frequency_of(self, hashes: np.ndarray) -> np.ndarray:
        """The known frequency per million of each hashed password, NaN when unknown."""
        pos, found = sorted_lookup(self.keys, hashes)
        return np.where(found, self.frequencies[pos] if len(self.frequencies) else 0.0, np.nan)


def to_units(frequencies: np.ndarray) -> np.ndarray:
    """Frequencies per million as integer thousandths (at least 1: a listed password occurs)."""
    return np.maximum(np.rint(np.asarray(frequencies) * 1000.0), 1).astype(np.int64)
