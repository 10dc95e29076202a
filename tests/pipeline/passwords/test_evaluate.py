from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pipeline.passwords import evaluate as ev


def test_rmsle_matches_a_hand_computed_value() -> None:
    # log1p(0) - log1p(1) = -ln 2 and log1p(3) - log1p(1) = ln 2: RMSLE = ln 2
    assert ev.rmsle([0.0, 3.0], [1.0, 1.0]) == pytest.approx(math.log(2))
    assert ev.rmsle([5.0, 7.0], [5.0, 7.0]) == 0.0


def test_spearman_matches_hand_computed_values() -> None:
    assert ev.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert ev.spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    # ranks (1,2,3) vs (1,3,2): 1 - 6*(0+1+1)/(3*8) = 0.5
    assert ev.spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    assert math.isnan(ev.spearman([2, 2, 2], [1, 2, 3]))  # a constant orders nothing


def test_constant_baseline_is_rmsle_optimal() -> None:
    train = np.array([0.5, 1.0, 20.0, 300.0])
    best = ev.constant_baseline(train, 1)[0]
    for other in (best * 0.9, best * 1.1):
        assert ev.rmsle(np.full(4, best), train) < ev.rmsle(np.full(4, other), train)


def test_length_baseline_uses_mean_per_length_and_falls_back() -> None:
    pred = ev.length_baseline(["aa", "bb", "ccc"], np.array([1.0, 3.0, 7.0]), ["zz", "zzzzz"])
    assert pred[0] == pytest.approx(np.expm1((np.log1p(1) + np.log1p(3)) / 2))
    assert pred[1] == pytest.approx(np.expm1(np.mean(np.log1p([1.0, 3.0, 7.0]))))


def test_plots_are_written(tmp_path: Path) -> None:
    true = np.array([1.0, 2.0, 30.0, 400.0])
    scored = [ev.Scored("model", true * 1.1), ev.Scored("constant", np.full(4, 5.0))]
    paths = ev.save_plots(["a", "bb", "ccc", "dddd"], true, scored, tmp_path)
    assert [p.name for p in paths] == ["predicted_vs_true.png", "error_by_length.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)


def test_password_metrics_skip_undefined_values() -> None:
    report = {
        "test": {
            "model": {"rmsle": 0.43, "spearman": 0.52},
            "constant (RMSLE-optimal)": {"rmsle": 0.64, "spearman": None},
        },
        "censoring": {"share_below_rarest_listed": None},
    }
    assert ev.tracked_metrics(report) == {
        "passwords.test.model.rmsle": 0.43,
        "passwords.test.model.spearman": 0.52,
        "passwords.test.constant_rmsle-optimal.rmsle": 0.64,
    }
