from __future__ import annotations

import random

import pytest

from pipeline.passwords.split import assign_splits, bucket, split_of


def test_split_depends_on_the_password_alone() -> None:
    passwords = [f"pw{i}" for i in range(2000)]
    first = dict(zip(passwords, assign_splits(passwords, 0.1, 0.1), strict=True))
    grown = passwords + [f"new{i}" for i in range(500)]
    random.Random(1).shuffle(grown)
    second = dict(zip(grown, assign_splits(grown, 0.1, 0.1), strict=True))
    assert all(second[p] == first[p] for p in passwords)


def test_split_is_pinned_across_releases() -> None:
    # Changing the hash would silently move test passwords into training: these stay fixed.
    assert {p: bucket(p) for p in PINNED_BUCKETS} == PINNED_BUCKETS
    assert {p: split_of(p, 0.1, 0.1) for p in PINNED_SPLITS} == PINNED_SPLITS


PINNED_BUCKETS = {"123456": 4584, "password": 6854, "": 4995, "correct horse": 2140}
PINNED_SPLITS = {"123456": "train", "pw1": "test", "pw16": "validation"}


def test_fractions_are_respected() -> None:
    splits = list(assign_splits([f"x{i}" for i in range(20000)], 0.1, 0.2))
    assert splits.count("validation") / len(splits) == pytest.approx(0.1, abs=0.01)
    assert splits.count("test") / len(splits) == pytest.approx(0.2, abs=0.01)


@pytest.mark.parametrize(("val", "test"), [(0, 0.1), (0.5, 0.5), (-0.1, 0.2)])
def test_bad_fractions_are_rejected(val: float, test: float) -> None:
    with pytest.raises(ValueError, match="fractions"):
        assign_splits(["a"], val, test)
