"""The served model's exact answers: every listed password's frequency, by hash.

A list of the mirror's size (100,000 rows) is held exactly: sorted 64-bit hashes with their
frequencies. The full RockYou list has 14.3 million rows, 16 bytes each would be ~230 MB, so a big
count list is held compactly: the hashes' top bits pick a bucket (a directory of bucket starts),
each row keeps the next 16 bits as a tag and its count in one byte, and the few rows counted more
than 255 times (or sharing a bucket and a tag with another row) keep their exact hash. A string that
is not listed is taken for a listed one only when a row of its bucket has its tag: a chance of about
(rows per bucket) / 65,536, which the stage measures on random strings and reports. The big arrays
are saved as ``.npy`` files beside the model and memory-mapped, so the service's workers share one
copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.passwords.features.hashing import HashBuckets, python_view, sorted_lookup

TAG_BITS = 16
MAX_SMALL_COUNT = 255  # counts of one byte; rows counted more stay exact
ROWS_PER_BUCKET = 4
_SIGN = np.uint64(1 << 63)


@dataclass
class ExactAnswers:
    """Sorted hashes and their frequencies per million."""

    keys: np.ndarray
    frequencies: np.ndarray

    @classmethod
    def build(cls, hashes: np.ndarray, frequencies: np.ndarray) -> ExactAnswers:
        """Sort the rows by hash."""
        order = np.argsort(hashes, kind="stable")
        return cls(
            np.ascontiguousarray(hashes[order], dtype=np.int64),
            np.ascontiguousarray(np.asarray(frequencies, dtype=np.float64)[order]),
        )

    def frequency_of(self, hashes: np.ndarray) -> np.ndarray:
        """The listed frequency per million of each hashed password, NaN when not listed."""
        pos, found = sorted_lookup(self.keys, hashes)
        return np.where(found, self.frequencies[pos] if len(self.frequencies) else 0.0, np.nan)

    def one(self) -> OneAnswer:
        """The table for one lookup at a time."""
        return OneExact(self)

    def __len__(self) -> int:
        return len(self.keys)


class OneAnswer:
    """One password's answer, the service's case: ``frequency(key)``, None when not listed."""

    def frequency(self, key: int) -> float | None:  # pragma: no cover - an interface
        """The listed frequency of one hashed password, None when it is not listed."""
        raise NotImplementedError

    def arrays(self) -> tuple[tuple[np.ndarray, np.ndarray, int], np.ndarray, tuple | None]:
        """What the compiled lookup reads (:mod:`pipeline.passwords.features.compiled`): the
        exact rows' buckets and frequencies, and a compact list's ``(bits, starts, tags, counts,
        total)`` or None. The arrays are shared, not copied.
        """
        raise NotImplementedError  # pragma: no cover - an interface


class OneExact(OneAnswer):
    """:class:`ExactAnswers` through a bucket directory, values as a memoryview."""

    def __init__(self, answers: ExactAnswers) -> None:
        self.keys = HashBuckets(answers.keys)
        self.frequencies = python_view(answers.frequencies, np.float64)

    def frequency(self, key: int) -> float | None:
        """The listed frequency of one hashed password, None when it is not listed."""
        (i,) = self.keys.find([key])
        return self.frequencies[i] if i >= 0 else None

    def arrays(self) -> tuple[tuple[np.ndarray, np.ndarray, int], np.ndarray, tuple | None]:
        """See :meth:`OneAnswer.arrays`."""
        return self.keys.arrays(), np.asarray(self.frequencies), None


@dataclass
class CompactAnswers:
    """A count list in about 3 bytes a row (see the module's docstring).

    Row ``i`` of bucket ``b`` (positions ``starts[b]`` to ``starts[b + 1]``) has tag ``tags[i]``
    and count ``counts[i]``; ``big`` holds the rows counted more than :data:`MAX_SMALL_COUNT`.
    """

    bits: int
    starts: np.ndarray
    tags: np.ndarray
    counts: np.ndarray
    big: ExactAnswers
    total: int

    ARRAYS = ("starts", "tags", "counts")

    @classmethod
    def build(cls, hashes: np.ndarray, counts: np.ndarray, total: int) -> CompactAnswers:
        """Index a count list whose counts sum to ``total`` (frequency = count * 1e6 / total)."""
        hashes = np.asarray(hashes, dtype=np.int64)
        counts = np.asarray(counts, dtype=np.int64)
        bits = max(1, math.ceil(math.log2(max(len(hashes) / ROWS_PER_BUCKET, 2))))
        unsigned = hashes.view(np.uint64) ^ _SIGN
        order = np.argsort(unsigned, kind="stable")
        unsigned, hashes, counts = unsigned[order], hashes[order], counts[order]
        # rows sharing a bucket and a tag would answer for each other: those stay exact too
        place = unsigned >> np.uint64(64 - bits - TAG_BITS)
        clash = np.zeros(len(place), dtype=bool)
        same = place[1:] == place[:-1]
        clash[1:] |= same
        clash[:-1] |= same
        exact = clash | (counts > MAX_SMALL_COUNT)
        big = ExactAnswers.build(hashes[exact], counts[exact] * 1e6 / total)
        small, small_counts = unsigned[~exact], counts[~exact]
        bucket = small >> np.uint64(64 - bits)
        starts = np.searchsorted(bucket, np.arange((1 << bits) + 1, dtype=np.uint64))
        tags = (small >> np.uint64(64 - bits - TAG_BITS)) & np.uint64((1 << TAG_BITS) - 1)
        return cls(
            bits,
            starts.astype(np.uint32),
            tags.astype(np.uint16),
            small_counts.astype(np.uint8),
            big,
            int(total),
        )

    def _place(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u = np.asarray(hashes, dtype=np.int64).view(np.uint64) ^ _SIGN
        bucket = (u >> np.uint64(64 - self.bits)).astype(np.int64)
        tag = ((u >> np.uint64(64 - self.bits - TAG_BITS)) & np.uint64(0xFFFF)).astype(np.uint16)
        return bucket, tag

    def frequency_of(self, hashes: np.ndarray) -> np.ndarray:
        """The listed frequency per million of each hashed password, NaN when not listed."""
        hashes = np.asarray(hashes, dtype=np.int64)
        out = self.big.frequency_of(hashes)
        todo = np.flatnonzero(np.isnan(out))
        if not len(todo):
            return out
        bucket, tag = self._place(hashes[todo])
        lo = self.starts[bucket].astype(np.int64)
        hi = self.starts[bucket + 1].astype(np.int64)
        count = np.zeros(len(todo), dtype=np.int64)
        open_ = np.ones(len(todo), dtype=bool)
        for step in range(int((hi - lo).max(initial=0))):
            at = lo + step
            live = open_ & (at < hi)
            if not live.any():
                break
            hit = live.copy()
            hit[live] = self.tags[at[live]] == tag[live]
            count[hit] = self.counts[at[hit]]
            open_ &= ~hit
        found = count > 0
        out[todo[found]] = count[found] * 1e6 / self.total
        return out

    def one(self) -> OneAnswer:
        """The table for one lookup at a time."""
        return OneCompact(self)

    def __len__(self) -> int:
        return len(self.tags) + len(self.big)

    def save(self, folder: Path) -> None:
        """The big arrays as ``.npy`` files in ``folder`` (memory-mapped by :meth:`attach`)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in self.ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name))

    def detached(self) -> CompactAnswers:
        """A copy without the big arrays, for the pickle; :meth:`attach` brings them back."""
        empty = np.zeros(0, dtype=np.uint8)
        return CompactAnswers(self.bits, empty, empty, empty, self.big, self.total)

    def attach(self, folder: Path) -> CompactAnswers:
        """The table with its arrays memory-mapped from ``folder``."""
        arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in self.ARRAYS}
        return CompactAnswers(self.bits, **arrays, big=self.big, total=self.total)


class OneCompact(OneAnswer):
    """:class:`CompactAnswers` for one lookup at a time, with memoryviews of its arrays."""

    def __init__(self, answers: CompactAnswers) -> None:
        self.answers = answers
        self.big = OneExact(answers.big)
        self.starts = memoryview(np.ascontiguousarray(answers.starts))
        self.tags = memoryview(np.ascontiguousarray(answers.tags))
        self.counts = memoryview(np.ascontiguousarray(answers.counts))
        self.shift = 64 - answers.bits
        self.total = answers.total

    def frequency(self, key: int) -> float | None:
        """The listed frequency of one hashed password, None when it is not listed."""
        exact = self.big.frequency(key)
        if exact is not None:
            return exact
        u = (key + (1 << 64)) % (1 << 64) ^ (1 << 63)
        bucket = u >> self.shift
        tag = (u >> (self.shift - TAG_BITS)) & 0xFFFF
        tags = self.tags
        for i in range(self.starts[bucket], self.starts[bucket + 1]):
            if tags[i] == tag:
                return self.counts[i] * 1e6 / self.total  # the batch path's floats
        return None

    def arrays(self) -> tuple[tuple[np.ndarray, np.ndarray, int], np.ndarray, tuple | None]:
        """See :meth:`OneAnswer.arrays`."""
        exact, frequencies, _ = self.big.arrays()
        compact = tuple(np.asarray(a) for a in (self.starts, self.tags, self.counts))
        return exact, frequencies, (self.answers.bits, *compact, self.total)


Answers = ExactAnswers | CompactAnswers


def build_answers(
    hashes: np.ndarray,
    frequencies: np.ndarray,
    counts: np.ndarray | None,
    total: int,
    exact_up_to: int,
) -> Answers:
    """Exact answers for a list of at most ``exact_up_to`` rows or without raw counts; compact
    ones for a bigger count list.
    """
    if counts is None or len(hashes) <= exact_up_to:
        return ExactAnswers.build(hashes, frequencies)
    return CompactAnswers.build(hashes, counts, total)
