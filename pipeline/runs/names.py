"""Metric names as MLflow stores them, shared by the tracking step and each model's evaluation."""

from __future__ import annotations

import math
import re
from typing import Any


def metric_key(*parts: str) -> str:
    """A metric name MLflow accepts and a shell can type: ``constant (RMSLE-optimal)`` becomes
    ``constant_rmsle-optimal``, ``ours -> w2v_raw`` becomes ``ours_to_w2v_raw``.
    """
    cleaned = []
    for part in parts:
        text = str(part).replace(" -> ", "_to_").lower()
        cleaned.append(re.sub(r"[^a-z0-9_.\-]+", "_", text).strip("_"))
    return ".".join(cleaned)


def number(value: Any) -> float | None:
    """``value`` as a finite float (booleans as 0/1); None for anything else."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def put_metric(metrics: dict[str, float], key: str, value: Any) -> None:
    """Set ``metrics[key]`` when ``value`` is a finite number; skip it otherwise."""
    found = number(value)
    if found is not None:
        metrics[key] = found
