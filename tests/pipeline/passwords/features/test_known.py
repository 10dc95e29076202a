"""The known list's prefix families: exact sizes and count sums, stored narrow, read wide."""

from __future__ import annotations

import numpy as np

from pipeline.passwords.features.hashing import hash_all
from pipeline.passwords.features.known import PrefixIndex


def test_families_count_every_string_starting_with_a_prefix() -> None:
    index = PrefixIndex.build(["abc", "abd", "b"], [5, 7, 70_000])
    n, total = index.lookup(hash_all(["a", "ab", "abc", "b", "x"]))
    assert n.tolist() == [2, 2, 1, 1, 0]
    assert total.tolist() == [12, 12, 5, 70_000, 0]


def test_sizes_are_stored_narrow_and_read_as_int64_so_leaving_a_row_out_cannot_wrap() -> None:
    index = PrefixIndex.build(["abc", "abd"], [5, 7])
    assert index.n.dtype == np.uint8 and index.total.dtype == np.uint8
    n, total = index.lookup(hash_all(["abc", "zz"]))
    assert n.dtype == np.int64 and total.dtype == np.int64
    assert (total - 12).tolist() == [-7, -12]
