"""A password list read in one pass: every row as a hash and a frequency, a sample in clear.

The full RockYou list has 14.3 million distinct passwords. Holding them as Python strings several
times over (a table, a set, a split column) does not fit one machine's memory, and the fit does not
need them all. So the list is streamed once: each row leaves its 64-bit hash and its count in two
arrays (the served model answers every listed password from them), and only the rows the fit uses
stay in clear: every row of a count that few passwords share, and a uniform sample by hash of the
crowded counts (the one-offs, the twice-seen ...), each kept row weighted by how many rows it
stands for. A list of the mirror's size keeps every row, with weight 1.

Bad lines are counted by reason and the first few kept masked, as :mod:`.checks` reports them.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.data.sources import ROCKYOU_TOTAL
from pipeline.passwords.features.hashing import hash64
from pipeline.passwords.parse import (
    COUNT_LINE,
    BadLine,
    mask,
    open_lines,
    read_frequency_csv,
    strip_newline,
)

PROGRESS_EVERY = 1_000_000  # lines
SHOWN_BAD_LINES = 10


@dataclass
class Listing:
    """The whole list as arrays, and the rows the fit uses as a table.

    ``hashes``/``frequencies`` hold every row (``counts`` too, for a count list). ``kept`` has
    ``password``, ``count``, ``frequency`` and ``weight`` (rows of the whole list it stands for).
    """

    hashes: np.ndarray
    frequencies: np.ndarray
    counts: np.ndarray | None
    kept: pd.DataFrame
    n_lines: int
    fmt: str
    bad_lines: list[BadLine] = field(default_factory=list)  # the first few, masked
    bad_by_reason: Counter[str] = field(default_factory=Counter)
    rows_per_count: dict[int, int] = field(default_factory=dict)

    @property
    def n_bad(self) -> int:
        """How many lines did not parse or were not UTF-8."""
        return sum(self.bad_by_reason.values())

    def duplicates(self) -> int:
        """Rows whose password another row already holds (by hash: 14M strings, no set).

        By a sort: numpy 2's ``np.unique`` takes a hash-table path for integers that is far slower
        than sorting on millions of distinct keys (it left the full list's checks silent).
        """
        ordered = np.sort(self.hashes)
        return int(np.count_nonzero(ordered[1:] == ordered[:-1]))


class _Sample:
    """Per count, the rows of the smallest hashes: a uniform sample whatever the file's order,
    which keeps a count's every row when it has no more than ``k``.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.heaps: dict[int, list[tuple[int, int, str]]] = {}

    def offer(self, count: int, key: int, row: int, password: str) -> None:
        """Consider one row (``row``: its position in the file)."""
        heap = self.heaps.setdefault(count, [])
        if len(heap) < self.k:
            heapq.heappush(heap, (-key, row, password))
        elif -key > heap[0][0]:
            heapq.heapreplace(heap, (-key, row, password))

    def kept(self) -> list[tuple[int, int, str]]:
        """``(row, count, password)`` of every kept row, in the file's order."""
        rows = [(row, count, p) for count, heap in self.heaps.items() for _, row, p in heap]
        return sorted(rows)


def scan_count_lines(
    lines: Iterable[bytes],
    per_count: int,
    total: int = ROCKYOU_TOTAL,
    progress: Callable[[int], None] | None = None,
) -> Listing:
    """Stream ``count password`` lines (RockYou's format) into a :class:`Listing`.

    ``per_count`` is the most rows kept in clear per count; ``progress(n)`` is called every
    :data:`PROGRESS_EVERY` lines.
    """
    hashes, counts = array("q"), array("q")  # 8 bytes a row, not a Python int each
    bad: list[BadLine] = []
    reasons: Counter[str] = Counter()
    sample = _Sample(per_count)
    n_lines = 0
    for n_lines, raw in enumerate(lines, start=1):
        body = strip_newline(raw)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            reason, shown = "not valid UTF-8", body.decode("utf-8", "replace")
        else:
            match = COUNT_LINE.fullmatch(text)
            if match is not None:
                password, count = match.group(2) or "", int(match.group(1))
                key = hash64(password)
                hashes.append(key)
                counts.append(count)
                sample.offer(count, key, len(hashes) - 1, password)
                if progress is not None and n_lines % PROGRESS_EVERY == 0:
                    progress(n_lines)
                continue
            reason = "blank line" if not text.strip() else "no count before the password"
            shown = text
        reasons[reason] += 1
        if len(bad) < SHOWN_BAD_LINES:
            bad.append(BadLine(n_lines, reason, mask(shown)))
    count_array = np.frombuffer(counts, dtype=np.int64).copy()
    del counts
    values, sizes = np.unique(count_array, return_counts=True)
    rows_per_count = dict(zip(values.tolist(), sizes.tolist(), strict=True))
    kept_rows = sample.kept()
    per_count = Counter(c for _, c, _ in kept_rows)
    passwords = [p for _, _, p in kept_rows]
    kept_counts = np.array([c for _, c, _ in kept_rows], dtype=np.int64)
    weights = np.array([rows_per_count[c] / per_count[c] for _, c, _ in kept_rows])
    kept = pd.DataFrame(
        {
            "password": pd.Series(passwords, dtype=object),
            "count": kept_counts.astype(np.float64),
            "frequency": kept_counts * 1e6 / total,
            "weight": weights,
        }
    )
    return Listing(
        hashes=np.frombuffer(hashes, dtype=np.int64).copy(),
        frequencies=count_array * 1e6 / total,
        counts=count_array,
        kept=kept,
        n_lines=n_lines,
        fmt="rockyou-counts",
        bad_lines=bad,
        bad_by_reason=reasons,
        rows_per_count=rows_per_count,
    )


def read_listing(
    path: Path, per_count: int, progress: Callable[[int, float], None] | None = None
) -> Listing:
    """Read a list in either format: count lines streamed, a ``Password,Times`` CSV (a frequency
    list, small by nature) whole with every row kept. ``progress(lines, share)`` reports the
    lines read and the share of the file's bytes consumed.
    """
    first, lines, consumed = open_lines(path)
    if first.lower().startswith(b"password,") or ".csv" in path.name.lower():
        parsed = read_frequency_csv(lines)
        frame = parsed.frame.assign(weight=1.0)
        reasons = Counter(b.reason for b in parsed.bad_lines)
        return Listing(
            hashes=np.array([hash64(p) for p in frame["password"]], dtype=np.int64),
            frequencies=frame["frequency"].to_numpy(dtype=np.float64),
            counts=None,
            kept=frame,
            n_lines=parsed.n_lines,
            fmt=parsed.fmt,
            bad_lines=parsed.bad_lines[:SHOWN_BAD_LINES],
            bad_by_reason=reasons,
        )

    def report(n: int) -> None:
        if progress is not None:
            progress(n, consumed())

    return scan_count_lines(lines, per_count, progress=report)
