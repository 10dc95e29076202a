"""Gather one pipeline run from the files its steps wrote, before MLflow is touched.

The tracking step only reads: ``reports/steps/*.json`` (each step's start, end and exit status,
written by ``scripts/step.sh``), each model's report and metadata, the promotion decisions and the
password data records. A finished run takes the stages' current reports; a failed one only what
was written since it started, never an older run's. Each model version trained in the run goes
in whole (its artifact, metadata and evaluation) under ``<model>/model/``, where MLflow's Model
Registry finds the files of the version it registers (:mod:`pipeline.runs.model_registry`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.config import ROOT, Paths, deep_merge
from pipeline.files import read_json
from pipeline.registry.lineage import git_commit
from pipeline.runs.names import put_metric


@dataclass
class RunRecord:
    """Everything one MLflow run will hold, gathered before MLflow is touched."""

    name: str
    status: str
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    artifacts: list[tuple[Path, str]] = field(default_factory=list)  # (file, artifact folder)
    versions: dict[str, str] = field(default_factory=dict)  # model -> version trained in the run


def flatten(value: Any, prefix: str) -> dict[str, str]:
    """Nested mappings as dotted keys and string values, the form MLflow parameters take."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {
        prefix: json.dumps(value) if isinstance(value, list | bool) or value is None else str(value)
    }


def without_key(value: Any, drop: str) -> Any:
    """``value`` without any ``drop`` key at any depth (local paths name a machine, not data)."""
    if isinstance(value, dict):
        return {k: without_key(v, drop) for k, v in value.items() if k != drop}
    return value


def data_params(stage: str, data: dict[str, Any]) -> dict[str, str]:
    """A model's data record (its metadata's ``data``) as ``data.<stage>.*`` parameters, without
    local paths: ``data.passwords.file.sha256``, ``data.hat.corpus.sha256``, ...
    """
    data = dict(data)
    if isinstance(data.get("data"), dict):
        data["file"] = data.pop("data")  # data.passwords.file.sha256, not ...data.data...
    return flatten(without_key(data, "path"), f"data.{stage}")


def version_files(version_dir: Path, folder: str) -> list[tuple[Path, str]]:
    """Every file of a version folder, with the artifact folder that keeps its place in it."""
    return [
        (p, "/".join((folder, *p.relative_to(version_dir).parent.parts)))
        for p in sorted(version_dir.rglob("*"))
        if p.is_file()
    ]


def read_steps(steps_dir: Path) -> dict[str, dict[str, Any]]:
    """The last record of each step (written by ``scripts/step.sh``); unreadable ones skipped."""
    records = {}
    for path in sorted(steps_dir.glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            record = json.loads(path.read_text(encoding="utf-8"))
            records[str(record["step"])] = record
    return records


def steps_of_run(records: dict[str, dict[str, Any]], since: float) -> list[dict[str, Any]]:
    """The steps of the current run, in the order they ran: those started after ``since``, the
    time the last logged run was collected (a run by ``run_all.sh`` or ``dvc repro`` ends with
    the track step, so whatever ran after it belongs to the next run).
    """
    steps = [r for name, r in records.items() if name != "track" and r["started_at"] > since]
    return sorted(steps, key=lambda r: r["started_at"])


def duration_metrics(steps: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds per step, and the wall time from the first step's start to the last one's end."""
    out = {
        f"duration_seconds.{s['step']}": round(s["finished_at"] - s["started_at"], 3) for s in steps
    }
    if steps:
        wall = max(s["finished_at"] for s in steps) - min(s["started_at"] for s in steps)
        out["duration_seconds.total"] = round(wall, 3)
    return out


def collect(
    stages: list[str],
    paths: Paths,
    params: dict[str, Any],
    status: str = "FINISHED",
    failed_stage: str | None = None,
    since: float = -math.inf,
) -> RunRecord:
    """Gather the run (the steps started after ``since``) from the files its steps wrote. A
    finished run takes the stages' current reports; a failed one only the files written since
    it started, never an older run's.
    """
    steps = steps_of_run(read_steps(paths.reports / "steps"), since)
    started = min((s["started_at"] for s in steps), default=math.inf)  # no step: nothing new

    def of_run(path: Path) -> bool:
        return path.is_file() and (status == "FINISHED" or path.stat().st_mtime >= started)

    commit = git_commit()
    runner = "dvc repro" if os.environ.get("DVC_STAGE") else os.environ.get("PIPELINE_RUNNER", "")
    record = RunRecord(
        name=f"{'+'.join(stages)} @ {commit[:7]}" + (" (failed)" if status != "FINISHED" else ""),
        status=status,
        tags={
            "stages": ",".join(stages),
            "steps": ",".join(s["step"] for s in steps),
            "git.commit": commit,
            "git.dirty": str(commit.endswith("-dirty")).lower(),
            "mlflow.source.git.commit": commit.removesuffix("-dirty"),
            "mlflow.source.name": runner or "scripts/step.sh track",
            "mlflow.source.type": "LOCAL",
        },
    )
    if failed_stage:
        record.tags["failed_stage"] = failed_stage
    record.metrics.update(duration_metrics(steps))
    failed_steps = [s["step"] for s in steps if s.get("exit_code")]
    if failed_steps:
        record.tags["failed_steps"] = ",".join(failed_steps)
    if (ROOT / "params.yaml").is_file():
        record.artifacts.append((ROOT / "params.yaml", ""))
    for stage in stages:
        _collect_stage(record, stage, paths, params.get(stage) or {}, of_run)
    promotion_file = paths.reports / "promotion.json"
    promotion = read_json(promotion_file) if of_run(promotion_file) else None
    if promotion:
        record.artifacts.append((promotion_file, ""))
        for name, decision in promotion.get("models", {}).items():
            if name in stages:
                put_metric(
                    record.metrics, f"promotion.{name}.promoted", bool(decision.get("promote"))
                )
                record.tags[f"promotion.{name}"] = str(decision.get("reason", ""))
    step_files = [paths.reports / "steps" / f"{s['step']}.json" for s in steps]
    record.artifacts += [(p, "steps") for p in step_files if p.is_file()]
    if (ROOT / "dvc.lock").is_file():
        record.artifacts.append((ROOT / "dvc.lock", ""))  # the DVC hashes of data and models
    if status == "FINISHED":
        from pipeline.runs.summary import summarize

        record.tags["mlflow.note.content"] = summarize(stages, paths.reports)
    return record


def _collect_stage(
    record: RunRecord,
    stage: str,
    paths: Paths,
    section: dict[str, Any],
    of_run: Callable[[Path], bool],
) -> None:
    """One stage's parameters, data, metrics and artifacts into ``record``."""
    report_file = paths.reports / stage / "metrics.json"
    report = read_json(report_file) if of_run(report_file) else None
    metadata: dict[str, Any] = {}
    if report and report.get("version"):
        version = str(report["version"])
        record.tags[f"{stage}.version"] = version
        record.tags[f"{stage}.promoted_when_trained"] = str(bool(report.get("promoted"))).lower()
        record.metrics.update(catalog.spec(stage).metrics_of(report))
        version_dir = paths.models / stage / version
        metadata = read_json(version_dir / "metadata.json") or {}
        if metadata:
            record.versions[stage] = version
            record.artifacts += version_files(version_dir, f"{stage}/model")
        record.artifacts += [
            (p, stage) for p in sorted((paths.reports / stage).iterdir()) if p.is_file()
        ]
    record.params.update(flatten(deep_merge(section, metadata.get("params") or {}), stage))

    data: dict[str, Any] = dict(metadata.get("data") or {})
    if stage == "passwords":
        processed = paths.processed / "passwords"
        if not data and of_run(processed / "dataset.json"):
            data = read_json(processed / "dataset.json") or {}
        record.artifacts += [
            (processed / f, "passwords/data")
            for f in ("dataset.json", "checks.json")
            if of_run(processed / f)
        ]
    if stage == "hat" and report and report.get("corpus"):
        data["corpus_stats"] = report["corpus"]
    record.params.update(data_params(stage, data))
