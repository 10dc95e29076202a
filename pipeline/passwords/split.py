"""Deterministic train/validation/test assignment by a hash of the password.

The split depends on the password alone, never on row order or on the other rows, so one password
stays in the same split across runs and across data versions (a newer, longer list only adds rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from pipeline.config import ConfigError

SPLITS = ("train", "validation", "test")
BUCKETS = 10_000


def bucket(password: str) -> int:
    """A stable bucket in ``[0, BUCKETS)``; a personalised hash, independent of feature hashes."""
    digest = hashlib.blake2b(
        password.encode("utf-8", "surrogatepass"), digest_size=8, person=b"pw-split"
    ).digest()
    return int.from_bytes(digest, "little") % BUCKETS


def split_of(password: str, validation: float, test: float) -> str:
    """The split of one password, for fractions ``validation`` and ``test`` of the data."""
    b = bucket(password) / BUCKETS
    if b < test:
        return "test"
    if b < test + validation:
        return "validation"
    return "train"


def assign_splits(passwords: Iterable[str], validation: float, test: float) -> np.ndarray:
    """The split of each password, in order."""
    if not (0 < validation < 1 and 0 < test < 1 and validation + test < 1):
        raise ConfigError("validation and test fractions must be in (0, 1) and sum below 1")
    return np.array([split_of(p, validation, test) for p in passwords], dtype=object)
