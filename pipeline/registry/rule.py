"""The promotion rule: a candidate replaces production only when it is not worse.

"Not worse" is judged on one metric measured on the same test set in the same run, with a
tolerance that absorbs no real regression (default 0: ties promote, so a retrain on unchanged data
refreshes the model without lowering the bar).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Decision:
    """Whether to promote, and why, with the numbers compared."""

    promote: bool
    reason: str
    metric: str
    candidate: float
    production: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for metadata and the registry."""
        return asdict(self)


def format_decision(decision: Decision, version: str, where: object) -> str:
    """The line printed after a training run: what was saved and whether it now serves."""
    verdict = "PROMOTED to production" if decision.promote else "NOT promoted"
    return f"model {version} saved to {where}: {verdict}: {decision.reason}"


def decide(
    metric: str,
    candidate: float,
    production: float | None,
    *,
    lower_is_better: bool,
    tolerance: float = 0.0,
) -> Decision:
    """Compare a candidate's metric with production's; None means there is no production yet."""
    if not math.isfinite(candidate):
        return Decision(False, f"candidate {metric} is {candidate}", metric, candidate, production)
    if production is None or not math.isfinite(production):
        why = "no production model yet" if production is None else "production metric unusable"
        return Decision(True, why, metric, candidate, production)
    better = (
        candidate <= production + tolerance
        if lower_is_better
        else (candidate >= production - tolerance)
    )
    relation = "not worse than" if better else "worse than"
    reason = (
        f"candidate {metric} {candidate:.4f} is {relation} production's {production:.4f} "
        f"(tolerance {tolerance:g}, {'lower' if lower_is_better else 'higher'} is better)"
    )
    return Decision(better, reason, metric, candidate, production)
