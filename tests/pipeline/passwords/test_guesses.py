"""Guesses: a listed password's expected rank in the list's order, and beyond the list the
rank-frequency law of its tail; always more guesses for a rarer password.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.passwords.guesses import MAX_GUESSES, RankTable, in_words


def test_a_listed_frequency_is_its_expected_rank_with_ties_at_their_middle() -> None:
    table = RankTable.build(np.array([5.0, 10.0, 5.0, 1.0, 5.0]))
    assert table.guesses(10.0) == 1.0
    assert table.guesses(5.0) == 3.0  # ranks 2, 3, 4: three guesses on average
    assert table.guesses(1.0) == 5.0
    assert table.guesses(50.0) == 1.0  # more common than the most common


def test_rarer_always_takes_more_guesses_within_and_beyond_the_list() -> None:
    table = RankTable.build(np.array([100.0, 40.0, 40.0, 8.0, 2.0, 2.0, 2.0]))
    probe = np.geomspace(200.0, 1e-6, 400)
    guesses = table.many(probe)
    assert np.all(guesses[probe >= 100.0] == 1.0)  # the most common: the first guess
    assert np.all(np.diff(guesses)[probe[1:] < 100.0] > 0)
    assert table.guesses(1.0) > table.rows  # absent: after the whole list
    assert table.guesses(0.0) == MAX_GUESSES and table.guesses(-1.0) == MAX_GUESSES


def test_the_vectorized_and_the_one_password_paths_agree() -> None:
    rng = np.random.default_rng(0)
    listed = np.floor(rng.pareto(1.2, 5000) + 1) * 0.03
    table = RankTable.build(listed)
    probe = np.concatenate([listed[:500], rng.uniform(0, listed.max() * 2, 2000), [0.0, 1e-9]])
    assert table.many(probe) == pytest.approx([table.guesses(f) for f in probe], rel=1e-12)


def test_beyond_the_list_the_tails_power_law_is_fitted_and_followed() -> None:
    # N(>= count) = 10_000 * count ** -1.5: the law the extrapolation assumes, exactly
    counts = np.arange(1, 60, dtype=float)
    reached = np.round(10_000 * counts**-1.5).astype(int)
    per_count = reached - np.concatenate([reached[1:], [0]])
    listed = np.repeat(counts, per_count)
    table = RankTable.build(listed)
    assert table.exponent == pytest.approx(1.5, rel=0.05)
    rarest = listed.min()
    assert table.guesses(rarest / 10) == pytest.approx(table.rows * 10**table.exponent)


def test_estimates_within_a_factor_two_count_the_share_of_their_groups_positions() -> None:
    listed = np.array([9.0] + [3.0] * 99)  # one row, then 99 ties at positions 2..100
    table = RankTable.build(listed)
    exact = table.many(listed)  # 1, then 51 for the ties: 26..100 within a factor 2 of 51
    assert table.within_factor(listed, exact) == pytest.approx((1 + 99 * 75 / 99) / 100)
    assert table.within_factor(listed, exact * 10) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="not in the rank table"):
        table.within_factor(np.array([4.0]), np.array([1.0]))


@pytest.mark.parametrize(
    ("guesses", "words"),
    [
        (1.0, "the first guess"),
        (28.4, "about 28 guesses"),
        (3_160.0, "about 3.2 thousand guesses"),
        (12_400_000.0, "about 12 million guesses"),
        (4e11, "about 400 billion guesses"),
        (MAX_GUESSES, "more guesses than anyone can make"),
    ],
)
def test_guesses_in_words_for_people(guesses: float, words: str) -> None:
    assert in_words(guesses) == words
