"""The promotion rule: not worse than production promotes, ties included."""

from __future__ import annotations

import pytest

from pipeline.registry.rule import Criterion, decide, decide_all


@pytest.mark.parametrize(
    ("candidate", "production", "promote"),
    [(0.40, 0.45, True), (0.45, 0.45, True), (0.46, 0.45, False), (0.5, None, True)],
)
def test_promotion_rule_lower_is_better(candidate, production, promote) -> None:
    decision = decide("rmsle", candidate, production, lower_is_better=True)
    assert decision.promote is promote
    assert (" is worse than" in decision.reason) is (not promote)


def test_promotion_refuses_a_non_finite_candidate() -> None:
    assert not decide("rmsle", float("nan"), 0.4, lower_is_better=True).promote
    assert decide("rmsle", 0.4, float("nan"), lower_is_better=True).promote


RMSLE, SPEARMAN = Criterion("test_rmsle", True), Criterion("external_spearman", False)


def test_better_on_the_test_split_and_worse_on_another_leak_is_not_promoted() -> None:
    decision = decide_all([(RMSLE, 0.40, 0.45), (SPEARMAN, 0.41, 0.44)])
    assert not decision.promote
    assert decision.metric == "external_spearman"
    assert "external_spearman 0.4100 is worse than production's 0.4400" in decision.reason
    assert [c.not_worse for c in decision.comparisons] == [True, False]


def test_not_worse_on_every_metric_promotes_and_names_them() -> None:
    decision = decide_all([(RMSLE, 0.45, 0.45), (SPEARMAN, 0.45, 0.44)])
    assert decision.promote
    assert "test_rmsle 0.4500 vs production's 0.4500" in decision.reason
    assert "external_spearman 0.4500 vs production's 0.4400" in decision.reason


def test_a_metric_production_lacks_is_not_compared_and_is_said() -> None:
    decision = decide_all([(RMSLE, 0.50, None), (SPEARMAN, 0.45, 0.44)])
    assert decision.promote
    assert "not comparable in this run: test_rmsle" in decision.reason
    assert decide_all([(RMSLE, 0.5, None)], has_production=False).reason == (
        "no production model yet"
    )
