"""Absent strings' levels: below the list's rarest frequency, a few, the same in both paths."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.config import ConfigError
from pipeline.passwords.tail import Tail

CFG = {
    "promote_above": 2.0,
    "demote_below": 0.05,
    "demote_min_length": 16,
    "middle": 0.3,
    "low": 0.01,
}


def test_levels_follow_the_estimate_and_sit_below_the_rarest_frequency() -> None:
    tail = Tail.from_params(0.5, CFG)  # thresholds per million: promote >= 2.0, demote < 0.05
    estimates = np.array([5.0, 2.0, 1.99, 0.5, 0.02, 0.02, 0.0, np.nan])
    lengths = np.array([8, 8, 8, 8, 8, 16, 20, 20])  # short strings are never random-like
    served = tail.frequencies(estimates, lengths)
    np.testing.assert_array_equal(served, [0.5, 0.5, 0.15, 0.15, 0.15, 0.005, 0.005, 0.15])
    one = [tail.frequency(float(e), int(n)) for e, n in zip(estimates, lengths, strict=True)]
    assert one == served.tolist()


def test_no_absent_string_is_above_the_rarest_listed_frequency() -> None:
    tail = Tail.from_params(0.7, CFG)
    estimates = np.geomspace(1e-9, 1e9, 1000)
    assert tail.frequencies(estimates, np.full(1000, 20)).max() == pytest.approx(0.7)


@pytest.mark.parametrize(
    "bad",
    [{"middle": 1.5}, {"low": 0.5}, {"demote_below": 3.0}, {"promote_above": 0.01}],
)
def test_inconsistent_levels_are_a_config_error(bad: dict) -> None:
    with pytest.raises(ConfigError, match=r"passwords\.tail"):
        Tail.from_params(0.7, CFG | bad)


def test_a_missing_key_is_named() -> None:
    with pytest.raises(ConfigError, match="lacks: low"):
        Tail.from_params(0.7, {k: v for k, v in CFG.items() if k != "low"})
