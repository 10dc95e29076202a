"""Families: how many listed passwords extend the password's parts, and how common they are
together (``monkey`` starts ``monkey1``, ``monkey12`` ...), counted in three views of the list.

A listed password leaves its own row out of every family it belongs to, with exact integer
arithmetic (its weight in thousandths), so no rounding residue can leak its own count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from pipeline.passwords.features.base import MISSING
from pipeline.passwords.features.hashing import HashBuckets, Hashes, hash_all, python_view
from pipeline.passwords.features.known import VIEWS, KnownList
from pipeline.passwords.features.strings import lower_letters, strip_tail_nonalpha, tail_nonalpha

# (feature name, view, the prefix queried in that view)
FAMILIES: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("fam", "fwd", lambda p: p),
    ("fam_base", "fwd", strip_tail_nonalpha),
    ("fam_suffix", "rev", lambda p: p[::-1]),
    ("fam_tail", "rev", lambda p: tail_nonalpha(p)[::-1]),
    ("fam_lower", "low", str.lower),
    ("fam_letters", "low", lambda p: lower_letters(p.lower())),
)
# per view, in column order: the view, its prefix function and its families' queries
BY_VIEW: tuple[tuple[str, Callable[[str], str], tuple[Callable[[str], str], ...]], ...] = tuple(
    (view, view_of, tuple(query for _, v, query in FAMILIES if v == view))
    for view, view_of in VIEWS.items()
)
NAMES = tuple(
    f"{name}{suffix}"
    for view in VIEWS
    for name, v, _ in FAMILIES
    if v == view
    for suffix in ("_n", "_log_total")
)


class FamilyLookup:
    """The prefix indexes for one password at a time (serving): bucketed keys, family sizes and
    count sums as the log the feature uses (the batch path's ufuncs: the same floats).
    """

    def __init__(self, known: KnownList) -> None:
        self.views = {
            view: (
                HashBuckets(index.keys),
                python_view(index.n, index.n.dtype),  # ints of the stored width: no copy
                python_view(np.log1p(np.maximum(index.total, 0).astype(np.float64)), np.float64),
            )
            for view, index in known.prefixes.items()
        }


def batch(passwords: Sequence[str], known: KnownList, own: Sequence[int]) -> np.ndarray:
    """Per password and family: its size and log count sum. ``own[i]`` > 0 marks a listed row
    (its weight), left out of the families it belongs to.
    """
    x = np.empty((len(passwords), len(NAMES)), dtype=np.float64)
    flat = x.reshape(-1)  # a view: writes go to x
    width = len(NAMES)
    col = 0
    for view, view_of, queries in BY_VIEW:
        asked: list[str] = []
        at: list[int] = []
        mine: list[int] = []
        for r, p in enumerate(passwords):
            for k, query in enumerate(queries):
                q = query(p)
                i = r * width + col + 2 * k
                if q == "":
                    flat[i] = flat[i + 1] = MISSING
                    continue
                asked.append(q)
                at.append(i)
                mine.append(own[r] if own[r] > 0 and view_of(p).startswith(q) else 0)
        if asked:
            n, total = known.prefixes[view].lookup(hash_all(asked))
            own_units = np.array(mine, dtype=np.int64)
            where = np.array(at, dtype=np.intp)
            flat[where] = (n - (own_units > 0)).astype(np.float64)
            flat[where + 1] = np.log1p(np.maximum(total - own_units, 0).astype(np.float64))
        col += 2 * len(queries)
    return x


def one(p: str, lookup: FamilyLookup, hashes: Hashes) -> list[float]:
    """:func:`batch` for one unknown password."""
    out: list[float] = []
    for view, _, queries in BY_VIEW:
        index, n, log_total = lookup.views[view]
        prefixes = [query(p) for query in queries]
        for q, i in zip(prefixes, index.find([hashes[q] for q in prefixes]), strict=True):
            if q == "":
                out += [MISSING, MISSING]
            elif i >= 0:
                out += [float(n[i]), log_total[i]]
            else:
                out += [0.0, 0.0]
    return out
