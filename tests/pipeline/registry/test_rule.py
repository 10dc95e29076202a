"""The promotion rule: not worse than production promotes, ties included."""

from __future__ import annotations

import pytest

from pipeline.registry.rule import decide


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
