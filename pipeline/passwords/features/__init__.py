"""Features of a password, learned from a list of known passwords and their counts.

Five families, each a module with its columns (``NAMES``), its batch form (training) and its
one-row form (serving), side by side (see :mod:`.base`):

* ``shape``: length, character classes, runs, a trailing year;
* ``dictionaries``: rank in zxcvbn's ranked word lists;
* ``markov``: character n-gram models of the known list (how "password-like" the string is);
* ``transforms``: how often a transformed version is listed (``Monkey12`` -> ``monkey``);
* ``families``: how many listed passwords extend the password's parts.

A password of the known list must not see itself: its family features leave its own row out and
its n-gram scores come from models fit on the other folds.

The classes a model pickles are also importable from this package (``features.KnownList`` ...),
where artifacts saved before the package was split find them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.passwords.features import compiled, families, markov, shape, transforms
from pipeline.passwords.features import dictionaries as ranks
from pipeline.passwords.features.base import MISSING
from pipeline.passwords.features.dictionaries import (
    DICTIONARIES,
    Dictionaries,
    dictionary_features,
    zxcvbn_dictionaries,
)
from pipeline.passwords.features.hashing import HashBuckets, Hashes, hash64, hash_all
from pipeline.passwords.features.known import KnownList, PrefixIndex, to_units
from pipeline.passwords.features.markov import Markov, MarkovGroup, fit_markovs, padded_grams
from pipeline.passwords.features.serving import ServingTables
from pipeline.passwords.features.shape import one as shape_features

__all__ = [
    "DICTIONARIES",
    "MISSING",
    "Dictionaries",
    "HashBuckets",
    "KnownList",
    "Markov",
    "MarkovGroup",
    "PrefixIndex",
    "ServingTables",
    "build_features",
    "dictionary_features",
    "feature_names",
    "features_one",
    "features_python",
    "fit_markovs",
    "hash64",
    "hash_all",
    "padded_grams",
    "shape_features",
    "to_units",
    "zxcvbn_dictionaries",
]

FAMILIES = (shape, ranks, markov, transforms, families)
N_FEATURES = sum(len(f.NAMES) for f in FAMILIES)


def feature_names() -> list[str]:
    """Column names, in the order of :func:`build_features`."""
    return [name for family in FAMILIES for name in family.NAMES]


def build_features(
    passwords: Sequence[str],
    known: KnownList,
    markovs: Sequence[Sequence[Markov]] | Sequence[Markov],
    own_units: np.ndarray | None = None,
    markov_of_row: np.ndarray | None = None,
    dictionaries: Dictionaries | None = None,
) -> np.ndarray:
    """The feature matrix of ``passwords``, family by family.

    ``own_units[i]`` > 0 marks a row that belongs to ``known``, whose own contribution is left out
    of its family features. ``markov_of_row[i]`` picks, per row, which set in ``markovs`` scores
    it (the out-of-fold sets in training); without it ``markovs`` is one set for every row.
    ``dictionaries`` defaults to the installed zxcvbn's. Hashed lookups are batched per table.
    """
    n_rows = len(passwords)
    own = [0] * n_rows if own_units is None else [int(u) for u in own_units]
    sets = [markovs] * n_rows if markov_of_row is None else [markovs[w] for w in markov_of_row]
    x = np.hstack(
        [
            shape.batch(passwords),
            ranks.batch(passwords, dictionaries or zxcvbn_dictionaries()),
            markov.batch(passwords, sets),  # type: ignore[arg-type]
            transforms.batch(passwords, known),
            families.batch(passwords, known, own),
        ]
    )
    return x.reshape(n_rows, N_FEATURES)


def features_one(p: str, tables: ServingTables) -> list[float]:
    """``build_features([p], known, markovs, dictionaries=dictionaries)[0]``, for serving.

    The same values (a test compares them on thousands of strings), for one unknown string with
    bucketed lookups, each distinct string hashed once, returned as the list that
    :meth:`FlatForest.predict_one` takes. The compiled kernel computes them when it is built and
    takes the string (:mod:`.compiled`).
    """
    if tables.kernel is not None and compiled.takes(p):
        return tables.kernel.features(p.encode("ascii"))
    return features_python(p, tables)


def features_python(p: str, tables: ServingTables) -> list[float]:
    """:func:`features_one` by the families' Python forms (any string; no kernel needed)."""
    hashes = Hashes()
    return (
        shape.one(p)
        + ranks.one(p, tables.dictionaries, hashes)
        + markov.one(p, tables.markovs)
        + transforms.one(p, tables.transforms, hashes)
        + families.one(p, tables.families, hashes)
    )
