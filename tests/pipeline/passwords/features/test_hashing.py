"""The serving lookups (HashBuckets) find exactly what a binary search finds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.passwords.features.hashing import HashBuckets, Hashes, hash64

INT64 = st.integers(-(2**63), 2**63 - 1)
EXTREMES = [-(2**63), -1, 0, 1, 2**63 - 1]


def binary_search(keys: np.ndarray, queries: list[int]) -> list[int]:
    pos = np.minimum(keys.searchsorted(np.array(queries, dtype=np.int64)), max(len(keys) - 1, 0))
    return [int(p) if len(keys) and keys[p] == q else -1 for p, q in zip(pos, queries, strict=True)]


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.one_of(INT64, st.sampled_from(EXTREMES), st.integers(-50, 50)), unique=True),
    others=st.lists(INT64, max_size=20),
    per_bucket=st.integers(1, 8),
)
def test_buckets_find_what_a_binary_search_finds(keys, others, per_bucket) -> None:
    # clustered keys (small integers) crowd one bucket; extremes sit in the first and last
    table = np.array(sorted(keys), dtype=np.int64)
    queries = [*keys[:30], *others, *EXTREMES]
    assert HashBuckets(table, per_bucket).find(queries) == binary_search(table, queries)


def test_buckets_on_hashes_of_a_large_table() -> None:
    table = np.unique(np.array([hash64(f"pw{i}") for i in range(50_000)], dtype=np.int64))
    queries = [int(k) for k in table[::101]] + [hash64(f"other{i}") for i in range(2_000)]
    buckets = HashBuckets(table)
    assert buckets.bits >= 13  # a directory, not one run of keys
    assert buckets.find(queries) == binary_search(table, queries)


def test_an_empty_table_finds_nothing() -> None:
    assert HashBuckets(np.zeros(0, dtype=np.int64)).find([0, 5, *EXTREMES]) == [-1] * 7


def test_a_served_password_hashes_each_distinct_string_once() -> None:
    hashes = Hashes()
    assert hashes["monkey"] == hash64("monkey") and hashes["Monkey"] == hash64("Monkey")
    assert dict(hashes) == {"monkey": hash64("monkey"), "Monkey": hash64("Monkey")}
