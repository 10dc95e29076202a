"""Log each pipeline run to MLflow: what it ran on, what it measured, how long it took.

One MLflow run per ``run_all.sh`` (and per ``dvc repro`` that rebuilt something), made by the
``track`` step after promotion: the parameters of the stages run (their ``params.yaml`` sections,
completed by the values each model recorded), the data each model was trained on (source, sha256,
rows, splits), the git commit, every test metric of both models and their baselines (the Hat
cross-play table per explainer -> guesser pair and word list), the promotion decisions, each
step's duration, and as artifacts the reports, plots, evaluation tables, model metadata and the
decision file. A failed run is logged too (status FAILED, with what it produced before failing).

The step only reads what the other steps wrote, so the training code knows nothing of MLflow and
the service never imports it.

Store: ``MLFLOW_TRACKING_URI`` when set (a tracking server or any store MLflow knows), else a
SQLite database in ``mlruns/`` with the artifacts beside it. SQLite is MLflow's own default
backend in 3.x and works offline; its file store now refuses to start without an opt-out.
Experiment: ``MLFLOW_EXPERIMENT_NAME``, default ``the-hat-and-passwords``.

Logging is best-effort: a failure prints a warning and the command still exits 0, because the
run's models and reports are saved already and a tracking outage must not fail or undo training.
``reports/tracking.json`` records the outcome (it is also the output of DVC's ``track`` stage).

Usage: python -m pipeline.tracking [--status FAILED --failed-stage STAGE] [STAGE ...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pipeline.config import ROOT, Paths, load_params
from pipeline.registry import git_commit, write_json_atomic

STAGES = ("passwords", "hat")
TRAIN_STEP = {"passwords": "passwords_train", "hat": "hat_train"}
DEFAULT_EXPERIMENT = "the-hat-and-passwords"
DEFAULT_STORE = ROOT / "mlruns"
OUTCOME_FILE = "tracking.json"
# MLflow's own HTTP defaults retry a dead server for minutes and report usage to its makers;
# a pipeline run should give up within seconds and send nothing nobody asked for. Any of these
# set in the environment wins.
MLFLOW_ENV_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}


@dataclass
class RunRecord:
    """Everything one MLflow run will hold, gathered before MLflow is touched."""

    name: str
    status: str
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    artifacts: list[tuple[Path, str]] = field(default_factory=list)  # (file, artifact folder)


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI``, else the SQLite store in ``mlruns/`` of the repository."""
    return os.environ.get("MLFLOW_TRACKING_URI", "").strip() or (
        f"sqlite:///{DEFAULT_STORE / 'mlflow.db'}"
    )


def experiment_name() -> str:
    """``MLFLOW_EXPERIMENT_NAME``, else the project's experiment."""
    return os.environ.get("MLFLOW_EXPERIMENT_NAME", "").strip() or DEFAULT_EXPERIMENT


def sqlite_file(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI (absolute with four slashes), else None."""
    prefix = "sqlite:///"
    return Path(unquote(uri[len(prefix) :])).resolve() if uri.startswith(prefix) else None


def artifact_location(uri: str) -> str | None:
    """Where a new experiment keeps its artifacts: beside a SQLite database (MLflow's default
    would be ``./mlruns`` of whatever folder the command ran in); a server decides for itself.
    """
    database = sqlite_file(uri)
    return None if database is None else (database.parent / "artifacts").as_uri()


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


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override``'s values, merged key by key where both hold a mapping."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def without_key(value: Any, drop: str) -> Any:
    """``value`` without any ``drop`` key at any depth (local paths name a machine, not data)."""
    if isinstance(value, dict):
        return {k: without_key(v, drop) for k, v in value.items() if k != drop}
    return value


def metric_key(*parts: str) -> str:
    """A metric name MLflow accepts and a shell can type: ``constant (RMSLE-optimal)`` becomes
    ``constant_rmsle-optimal``, ``ours -> w2v_raw`` becomes ``ours_to_w2v_raw``.
    """
    cleaned = []
    for part in parts:
        text = str(part).replace(" -> ", "_to_").lower()
        cleaned.append(re.sub(r"[^a-z0-9_.\-]+", "_", text).strip("_"))
    return ".".join(cleaned)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _put(metrics: dict[str, float], key: str, value: Any) -> None:
    number = _number(value)
    if number is not None:
        metrics[key] = number


def password_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The password report's test metrics: the model and each baseline, and the censoring check."""
    out: dict[str, float] = {}
    for predictor, scores in report.get("test", {}).items():
        for name, value in scores.items():
            _put(out, metric_key("passwords", "test", predictor, name), value)
    censoring = report.get("censoring") or {}
    _put(
        out,
        "passwords.censoring.share_below_rarest_listed",
        censoring.get("share_below_rarest_listed"),
    )
    _put(out, "passwords.test.rows", report.get("measured_on", {}).get("rows"))
    return out


def hat_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The Hat report's metrics: the promotion score, the cross-play table of every
    explainer -> guesser pair on every word list, and how many of issue 3's floors passed.
    """
    out: dict[str, float] = {}
    _put(out, "hat.cross_play_score", report.get("cross_play_score"))
    for word_list, table in report.get("tables", {}).items():
        for pair, values in table.items():
            for name, value in values.items():
                _put(out, metric_key("hat", word_list, pair, name), value)
    floors = report.get("floors") or []
    if floors:
        out["hat.floors_passed"] = float(sum(bool(f.get("passed")) for f in floors))
        out["hat.floors_total"] = float(len(floors))
    return out


STAGE_METRICS = {"passwords": password_metrics, "hat": hat_metrics}


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


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


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
    promotion = _read_json(promotion_file) if of_run(promotion_file) else None
    if promotion:
        record.artifacts.append((promotion_file, ""))
        for name, decision in promotion.get("models", {}).items():
            if name in stages:
                _put(record.metrics, f"promotion.{name}.promoted", bool(decision.get("promote")))
                record.tags[f"promotion.{name}"] = str(decision.get("reason", ""))
    step_files = [paths.reports / "steps" / f"{s['step']}.json" for s in steps]
    record.artifacts += [(p, "steps") for p in step_files if p.is_file()]
    if (ROOT / "dvc.lock").is_file():
        record.artifacts.append((ROOT / "dvc.lock", ""))  # the DVC hashes of data and models
    if status == "FINISHED":
        from pipeline.summary import summarize

        record.tags["mlflow.note.content"] = summarize(stages, paths.reports)
    return record


def _collect_stage(
    record: RunRecord, stage: str, paths: Paths, section: dict[str, Any], of_run: Any
) -> None:
    """One stage's parameters, data, metrics and artifacts into ``record``."""
    report_file = paths.reports / stage / "metrics.json"
    report = _read_json(report_file) if of_run(report_file) else None
    metadata: dict[str, Any] = {}
    if report and report.get("version"):
        version = str(report["version"])
        record.tags[f"{stage}.version"] = version
        record.tags[f"{stage}.promoted_when_trained"] = str(bool(report.get("promoted"))).lower()
        record.metrics.update(STAGE_METRICS[stage](report))
        metadata_file = paths.models / stage / version / "metadata.json"
        metadata = _read_json(metadata_file) or {}
        if metadata:
            record.artifacts.append((metadata_file, f"{stage}/model"))
        record.artifacts += [
            (p, stage) for p in sorted((paths.reports / stage).iterdir()) if p.is_file()
        ]
    record.params.update(flatten(deep_merge(section, metadata.get("params") or {}), stage))

    data: dict[str, Any] = dict(metadata.get("data") or {})
    if stage == "passwords":
        processed = paths.processed / "passwords"
        if not data and of_run(processed / "dataset.json"):
            data = _read_json(processed / "dataset.json") or {}
        if isinstance(data.get("data"), dict):
            data["file"] = data.pop("data")  # data.passwords.file.sha256, not ...data.data...
        record.artifacts += [
            (processed / f, "passwords/data")
            for f in ("dataset.json", "checks.json")
            if of_run(processed / f)
        ]
    if stage == "hat" and report and report.get("corpus"):
        data["corpus_stats"] = report["corpus"]
    record.params.update(flatten(without_key(data, "path"), f"data.{stage}"))


@contextlib.contextmanager
def quiet_store() -> Iterator[None]:
    """MLflow 3.17's SQLite store uses a SQLAlchemy 2.1 loader option that warns on every start;
    the warning is MLflow's to fix and says nothing about our run.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r".*``noload`` loader strategy", category=DeprecationWarning
        )
        yield


def log_run(record: RunRecord, uri: str, experiment: str) -> str:
    """Create the MLflow run from ``record``; returns its id. A run that fails half-way is
    marked FAILED in MLflow before the error goes on.
    """
    for name, value in MLFLOW_ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    database = sqlite_file(uri)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    with quiet_store():
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        experiment_id = (
            found.experiment_id
            if found is not None
            else client.create_experiment(experiment, artifact_location=artifact_location(uri))
        )
        run_id = client.create_run(
            experiment_id, run_name=record.name, tags=record.tags
        ).info.run_id
        try:
            now = int(time.time() * 1000)
            client.log_batch(
                run_id,
                metrics=[Metric(k, v, now, 0) for k, v in sorted(record.metrics.items())],
                params=[Param(k, v) for k, v in sorted(record.params.items())],
            )
            for path, folder in record.artifacts:
                client.log_artifact(run_id, str(path), folder or None)
        except BaseException:
            with contextlib.suppress(Exception):
                client.set_terminated(run_id, "FAILED")
            raise
        client.set_terminated(run_id, record.status)
    return run_id


def main(argv: list[str] | None = None) -> int:
    """Log the run; on any failure warn and return 0 (the run's own outcome stands)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stages", nargs="*", help=f"default: all of {STAGES}")
    parser.add_argument("--status", choices=("FINISHED", "FAILED"), default="FINISHED")
    parser.add_argument("--failed-stage", help="the stage a failed run stopped in")
    args = parser.parse_args(argv)
    stages = list(dict.fromkeys(args.stages)) or list(STAGES)
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {STAGES}")
    paths = Paths.from_env()
    uri, experiment = tracking_uri(), experiment_name()
    previous = _read_json(paths.reports / OUTCOME_FILE) or {}
    since = float(previous.get("steps_until") or -math.inf)
    collected_at = time.time()
    # the boundary moves only when the run is logged, so a retry logs the same steps
    outcome: dict[str, Any] = {
        "tracking_uri": uri,
        "experiment": experiment,
        "steps_until": previous.get("steps_until"),
    }
    try:
        record = collect(stages, paths, load_params(), args.status, args.failed_stage, since)
        run_id = log_run(record, uri, experiment)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        print(
            f"tracking: WARNING: the run was not logged to MLflow ({uri}): {message}. "
            "The models and reports of the run are saved and unaffected; "
            "retry with: scripts/step.sh track " + " ".join(stages),
            file=sys.stderr,
        )
        outcome |= {"logged": False, "error": message}
    else:
        print(f"tracking: run {run_id} logged to experiment '{experiment}' at {uri}")
        outcome |= {
            "logged": True,
            "run_id": run_id,
            "status": record.status,
            "steps_until": collected_at,
        }
    with contextlib.suppress(OSError):
        write_json_atomic(paths.reports / OUTCOME_FILE, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
