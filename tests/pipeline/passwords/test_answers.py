"""Every listed password's answer: exact for small lists, compact for big ones, the same numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.passwords.answers import CompactAnswers, ExactAnswers, build_answers
from pipeline.passwords.features import hash64, hash_all

TOTAL = 32_603_388


def a_list(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    passwords = [f"pw{i}-{seed}" for i in range(n)]
    counts = np.where(rng.random(n) < 0.01, rng.integers(256, 300_000, n), rng.integers(1, 23, n))
    return passwords, counts


def test_compact_answers_equal_the_exact_ones_for_every_listed_password(tmp_path: Path) -> None:
    passwords, counts = a_list(60_000)
    hashes = hash_all(passwords)
    exact = ExactAnswers.build(hashes, counts * 1e6 / TOTAL)
    compact = CompactAnswers.build(hashes, counts, TOTAL)
    assert len(compact) == len(exact) == 60_000
    np.testing.assert_array_equal(compact.frequency_of(hashes), exact.frequency_of(hashes))
    one = compact.one()
    assert [one.frequency(hash64(p)) for p in passwords[:500]] == exact.frequency_of(
        hashes[:500]
    ).tolist()
    # memory-mapped after a save, the same answers
    compact.save(tmp_path)
    again = compact.detached().attach(tmp_path)
    assert isinstance(again.tags, np.memmap)
    np.testing.assert_array_equal(again.frequency_of(hashes), exact.frequency_of(hashes))


def test_strings_not_listed_are_rarely_taken_for_listed_ones() -> None:
    passwords, counts = a_list(200_000, seed=1)
    compact = CompactAnswers.build(hash_all(passwords), counts, TOTAL)
    others = hash_all([f"other{i}" for i in range(200_000)])
    false_hits = np.count_nonzero(~np.isnan(compact.frequency_of(others)))
    assert false_hits / len(others) < 5 * 4 / 65_536  # ~4 rows a bucket, a 16-bit tag
    one = compact.one()
    assert all(
        one.frequency(int(h)) is None
        for h in others[:2000]
        if np.isnan(compact.frequency_of(np.array([h]))[0])
    )


def test_a_small_or_frequency_list_is_held_exactly() -> None:
    passwords, counts = a_list(1000)
    hashes = hash_all(passwords)
    assert isinstance(build_answers(hashes, counts * 1.0, counts, TOTAL, 5000), ExactAnswers)
    assert isinstance(build_answers(hashes, counts * 1.0, None, TOTAL, 10), ExactAnswers)
    assert isinstance(build_answers(hashes, counts * 1.0, counts, TOTAL, 10), CompactAnswers)
