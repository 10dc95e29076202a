"""The serving tables handed to the compiled feature kernel
(:mod:`pipeline.passwords.features_kernel`), which strings it may take, and the compiled lookups
of a value per hashed string (any string: they hash its bytes).

The kernel covers ASCII strings that do not end in a newline, where every definition of the
features reduces to byte operations (most passwords); the rest, and every string when the kernel
is not built, take the Python path (:func:`pipeline.passwords.features.features_one`): the same
values. The tables are the Python path's own arrays (the keys are shared, not copied), plus what
the kernel reads as C arrays: the dictionaries' log ranks (``math.log10``, as the batch path
takes them) and the n-gram models' ASCII n-grams in open-addressing tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.passwords.features.base import MISSING
from pipeline.passwords.features.hashing import hash64

try:  # compiled by scripts/build_kernel.py; the Python path gives the same values, slower
    from pipeline.passwords import features_kernel as _kernel
except ImportError:
    _kernel = None
# the kernel reads BLAKE2b's message words in the host's byte order, right on little-endian hosts
# (x86-64, arm64); anywhere else its hashes would differ from hash64's, so the Python path serves
if _kernel is not None and _kernel.hash64(b"abc") != hash64("abc"):
    _kernel = None

if TYPE_CHECKING:
    from pipeline.passwords.features.dictionaries import DictionaryLookup
    from pipeline.passwords.features.families import FamilyLookup
    from pipeline.passwords.features.markov import MarkovGroup
    from pipeline.passwords.features.transforms import TransformLookup

KERNEL = "compiled" if _kernel is not None else "python"  # how one row's features are made
MAX_CHARS = _kernel.MAX_CHARS if _kernel is not None else 0


def takes(p: str) -> bool:
    """Whether the kernel computes ``p``'s features (else the Python path does)."""
    return p.isascii() and 0 < len(p) <= MAX_CHARS and not p.endswith("\n")


def one_row(
    dictionaries: DictionaryLookup,
    transforms: TransformLookup,
    families: FamilyLookup,
    markovs: Sequence[MarkovGroup],
) -> Any | None:
    """The kernel over these tables, or None when it is not built or cannot score them (n-grams
    longer than it packs, a feature set of another size).
    """
    if _kernel is None:
        return None
    if any(not 1 <= g.order <= _kernel.MAX_ORDER for g in markovs):
        return None
    try:
        return _kernel.OneRow(
            dictionaries.keys.arrays(),
            _log_ranks(np.asarray(dictionaries.ranks)),
            transforms.keys.arrays(),
            np.asarray(transforms.log_units),
            [
                (keys.arrays(), np.asarray(n, dtype=np.float64), np.asarray(log_total))
                for keys, n, log_total in (families.views[v] for v in ("fwd", "rev", "low"))
            ],
            [_grams(g) for g in markovs],
        )
    except ValueError:  # tables of another shape than the kernel's: the Python path serves
        return None


def hashed_values(
    parts: tuple[tuple[np.ndarray, np.ndarray, int], np.ndarray, tuple | None],
) -> Any:
    """The compiled lookup of a float per hashed string over ``parts`` (a hash table's arrays,
    its values, a compact list's arrays or None: ``OneAnswer.arrays()``), or None when the
    kernel is not built. ``.get(text.encode(*ENCODING))`` is the value or None.
    """
    if _kernel is None:
        return None
    exact, values, compact = parts
    return _kernel.HashedValues(exact, values, compact)


def _log_ranks(ranks: np.ndarray) -> np.ndarray:
    """log10 of every rank, MISSING for 0: ``Dictionaries.log_ranks``'s floats."""
    values, inverse = np.unique(ranks, return_inverse=True)
    logs = np.array([math.log10(r) if r else MISSING for r in values.tolist()], dtype=np.float64)
    return np.ascontiguousarray(logs[inverse.reshape(-1)])


def _pack(gram: str) -> int:
    return int.from_bytes(gram.encode("ascii"), "little")


def _table(terms: dict[str, Any], width: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The ASCII keys of ``terms`` (n-grams or contexts) in a kernel table: other keys can never
    be looked up by an ASCII string.
    """
    ascii_terms = [(g, v) for g, v in terms.items() if g.isascii()]
    keys = np.array([_pack(g) for g, _ in ascii_terms], dtype=np.uint64)
    values = np.array([v for _, v in ascii_terms], dtype=np.float64).reshape(-1, width)
    return _kernel.gram_table(keys, values)


def _grams(group: MarkovGroup) -> tuple[int, int, Any, Any, tuple[float, ...]]:
    default = group.default if group.width > 1 else (group.default,)
    return (
        group.order,
        group.width,
        _table(group.seen, group.width),
        _table(group.unseen, group.width),
        tuple(default),
    )
