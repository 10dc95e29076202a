"""Absent strings' levels: below the list's rarest frequency, a few, the same in both paths."""

from __future__ import annotations

import math

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


def thresholds_math_and_numpy_split() -> tuple[float, float]:
    """A promote threshold that numpy's expm1 reaches at some x and math.expm1 does not, and a
    demote threshold that numpy's stays below at another x and math.expm1 does not: where a
    shortcut through math.expm1 alone would give another level.
    """
    xs = np.random.default_rng(1).uniform(-2.0, 1.0, 200_000)
    numpy_, math_ = np.expm1(xs), np.array([math.expm1(x) for x in xs.tolist()])
    promote = numpy_[(math_ < numpy_) & (numpy_ > 1.0)].min()
    demote = math_[(math_ > numpy_) & (math_ > 0.0) & (math_ < 0.5)].max()
    return float(promote), float(demote)


def neighbours(x: float, n: int) -> list[float]:
    out, up, down = [x], x, x
    for _ in range(n):
        up, down = float(np.nextafter(up, np.inf)), float(np.nextafter(down, -np.inf))
        out += [up, down]
    return out


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("demote_below", [0.05, 0.0])
def test_one_log_estimate_gets_the_batch_paths_level(demote_below: float, split: bool) -> None:
    """At, beside and far from each threshold, where math.expm1 and numpy's put an estimate on
    two sides of it (``split``), and where math.expm1 overflows or is NaN.
    """
    cfg = CFG | {"demote_below": demote_below}
    if split:
        cfg["promote_above"], cfg["demote_below"] = thresholds_math_and_numpy_split()
    tail = Tail.from_params(0.5, cfg)
    logs = [float(x) for x in np.random.default_rng(0).uniform(-3, 12, 20_000)]
    for threshold in (tail.promote_above, tail.demote_below):
        logs += neighbours(float(np.log1p(threshold)), 50)
    logs += [0.0, -0.0, 5e-324, -5e-324, -np.inf, np.inf, np.nan, 800.0, 1e308, -1e308]
    with np.errstate(over="ignore"):
        estimates = np.maximum(np.expm1(np.array(logs)), 0.0)
    if split:  # the thresholds do split the two: a test a shortcut without numpy would fail
        shortcut = [max(math.expm1(x), 0.0) for x in logs[20_000:-10]]
        assert any(
            (a >= tail.promote_above) != (b >= tail.promote_above)
            or (a < tail.demote_below) != (b < tail.demote_below)
            for a, b in zip(shortcut, estimates[20_000:-10].tolist(), strict=True)
        )
    for length in (8, 16):
        served = tail.frequencies(estimates, np.full(len(logs), length))
        assert [tail.frequency_of_log(x, length) for x in logs] == served.tolist()
