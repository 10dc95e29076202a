"""The end every training stage shares: decide the promotion, save the version, record it, report.

A stage measures its candidate (and production, in the same run on the same data) and hands the
results here; what follows is the same for every model, so it is written once: the decision by the
model's metric (:mod:`pipeline.catalog`) and tolerance, the version folder built atomically with
its metadata, the registry entry, the printed tables and decision, and ``reports/<model>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.config import Paths
from pipeline.files import write_json_atomic, write_text_atomic
from pipeline.registry import store
from pipeline.registry.lineage import base_metadata
from pipeline.registry.rule import Criterion, decide_all, format_decision

EVALUATION_FILE = "evaluation.txt"
METRICS_FILE = "metrics.json"


@dataclass
class Candidate:
    """A trained model ready to be published.

    ``scores`` are its values of the model's promotion metrics (:mod:`pipeline.catalog`),
    ``production`` production's, measured in the same run on the same data (None: no production
    model; a metric missing or None: not comparable in this run). ``metrics`` become the
    report and the metadata's ``metrics``; ``metadata`` holds the rest (data, parameters, timings).
    ``write_files`` writes the artifact into the version folder; ``evaluation`` is the text table
    saved beside it, and ``printed`` what the run prints before the decision line.
    """

    name: str
    version: str
    scores: dict[str, float]
    production: dict[str, float | None] | None
    tolerance: float
    metrics: dict[str, Any]
    metadata: dict[str, Any]
    write_files: Callable[[Path], None]
    evaluation: str
    printed: list[str] = field(default_factory=list)


def publish(candidate: Candidate, paths: Paths) -> dict[str, Any]:
    """Decide, save, record and report ``candidate``; returns the report (``metrics.json``)."""
    theirs = candidate.production or {}
    decision = decide_all(
        [
            (Criterion(metric, lower), candidate.scores[metric], theirs.get(metric))
            for metric, lower in catalog.spec(candidate.name).criteria
        ],
        has_production=candidate.production is not None,
        tolerance=candidate.tolerance,
    )
    metadata = {
        **base_metadata(candidate.name, candidate.version),
        **candidate.metadata,
        "metrics": candidate.metrics,
        "promotion": decision.as_dict(),
    }

    def write_files(directory: Path) -> None:
        candidate.write_files(directory)
        write_text_atomic(directory / EVALUATION_FILE, candidate.evaluation + "\n")

    path = store.save_version(
        paths.models, candidate.name, candidate.version, write_files, metadata
    )
    store.record_version(
        paths.models, candidate.name, candidate.version, decision.promote, decision.reason
    )
    for block in candidate.printed:
        print(block)
    print(format_decision(decision, candidate.version, path))
    report = {"version": candidate.version, "promoted": decision.promote, **candidate.metrics}
    report_dir = paths.reports / candidate.name
    write_json_atomic(report_dir / METRICS_FILE, report)
    write_text_atomic(report_dir / EVALUATION_FILE, candidate.evaluation + "\n")
    return report
