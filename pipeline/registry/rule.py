"""The promotion rule: a candidate replaces production only when it is not worse on any metric.

A model is judged on one or more metrics (its entry in :mod:`pipeline.catalog`: the password model
on its test split and on leaks it never saw), each measured for the candidate and for production on
the same data in the same run. A candidate better on one and worse on another is not promoted, and
the decision says which number decided. A tolerance absorbs no real regression (default 0: ties
promote, so a retrain on unchanged data refreshes the model without lowering the bar).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Criterion:
    """A metric a model is promoted on, and its direction."""

    metric: str
    lower_is_better: bool


@dataclass(frozen=True)
class Comparison:
    """One criterion's two numbers; ``not_worse`` is None when they cannot be compared."""

    metric: str
    lower_is_better: bool
    candidate: float
    production: float | None
    not_worse: bool | None

    def text(self) -> str:
        """``test_rmsle 0.4280 vs production's 0.4301 (lower is better)``."""
        direction = "lower" if self.lower_is_better else "higher"
        theirs = "n/a" if self.production is None else f"{self.production:.4f}"
        return (
            f"{self.metric} {self.candidate:.4f} vs production's {theirs} ({direction} is better)"
        )


@dataclass(frozen=True)
class Decision:
    """Whether to promote, why, and every number compared. ``metric``, ``candidate`` and
    ``production`` name the deciding comparison (the first worse one, else the first).
    """

    promote: bool
    reason: str
    metric: str
    candidate: float
    production: float | None
    comparisons: tuple[Comparison, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for metadata and the registry."""
        record = asdict(self)
        record["comparisons"] = [asdict(c) for c in self.comparisons]
        return record


def format_decision(decision: Decision, version: str, where: object) -> str:
    """The line printed after a training run: what was saved and whether it now serves."""
    verdict = "PROMOTED to production" if decision.promote else "NOT promoted"
    return f"model {version} saved to {where}: {verdict}: {decision.reason}"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def decide_all(
    measured: list[tuple[Criterion, float, float | None]],
    *,
    has_production: bool = True,
    tolerance: float = 0.0,
) -> Decision:
    """Compare the candidate with production on every criterion (``(criterion, candidate,
    production)``, production None where it has no such number); ``has_production`` False means
    there is no production model at all.
    """
    if not measured:
        raise ValueError("a model must be judged on at least one metric")
    comparisons = []
    for criterion, candidate, production in measured:
        comparable = _finite(candidate) and _finite(production) and has_production
        not_worse = None
        if comparable:
            assert production is not None
            not_worse = (
                candidate <= production + tolerance
                if criterion.lower_is_better
                else candidate >= production - tolerance
            )
        comparisons.append(
            Comparison(
                criterion.metric, criterion.lower_is_better, candidate, production, not_worse
            )
        )
    first = comparisons[0]

    def decision(promote: bool, reason: str, on: Comparison) -> Decision:
        return Decision(promote, reason, on.metric, on.candidate, on.production, tuple(comparisons))

    broken = next((c for c in comparisons if not _finite(c.candidate)), None)
    if broken is not None:
        return decision(False, f"candidate {broken.metric} is {broken.candidate}", broken)
    if not has_production:
        return decision(True, "no production model yet", first)
    worse = next((c for c in comparisons if c.not_worse is False), None)
    if worse is not None:
        return decision(
            False,
            f"candidate {worse.metric} {worse.candidate:.4f} is worse than production's "
            f"{worse.production:.4f} (tolerance {tolerance:g}, "
            f"{'lower' if worse.lower_is_better else 'higher'} is better)",
            worse,
        )
    compared = [c for c in comparisons if c.not_worse]
    if not compared:
        return decision(True, "production metric unusable", first)
    skipped = [c.metric for c in comparisons if c.not_worse is None]
    reason = "not worse than production on " + "; ".join(c.text() for c in compared)
    reason += f" (tolerance {tolerance:g})"
    if skipped:
        reason += f"; not comparable in this run: {', '.join(skipped)}"
    return decision(True, reason, first)


def decide(
    metric: str,
    candidate: float,
    production: float | None,
    *,
    lower_is_better: bool,
    tolerance: float = 0.0,
) -> Decision:
    """One metric: a candidate's value against production's (None: no production yet)."""
    decision = decide_all(
        [(Criterion(metric, lower_is_better), candidate, production)],
        has_production=production is not None,
        tolerance=tolerance,
    )
    if decision.promote and decision.comparisons[0].not_worse:
        c = decision.comparisons[0]
        reason = (
            f"candidate {metric} {candidate:.4f} is not worse than production's "
            f"{c.production:.4f} (tolerance {tolerance:g}, "
            f"{'lower' if lower_is_better else 'higher'} is better)"
        )
        return Decision(True, reason, metric, candidate, production, decision.comparisons)
    return decision
