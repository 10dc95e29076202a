"""Log each pipeline run to MLflow: what it ran on, what it measured, how long it took.

One MLflow run per ``run_all.sh`` (and per ``dvc repro`` that rebuilt something), made by the
``track`` step after promotion: the parameters of the stages run (their ``params.yaml`` sections,
completed by the values each model recorded), the data each model was trained on (source, sha256,
rows, splits), the git commit, every test metric of both models and their baselines (the Hat
cross-play table per explainer -> guesser pair and word list), the promotion decisions, each
step's duration, and as artifacts the reports, plots, evaluation tables, the files of each model
version trained and the decision file. A failed run is logged too (status FAILED, with what it
produced before failing).

Then MLflow's Model Registry is brought in line with ``models/registry.json``
(:mod:`pipeline.runs.model_registry`): the versions trained in the run are registered and the alias
``production`` follows registry.json's production.

The step only reads what the other steps wrote, so the training code knows nothing of MLflow and
the service never imports it.

Store: ``MLFLOW_TRACKING_URI`` when set (a team's tracking server, ``http://host:5000``: one that
proxies artifacts, ``--artifacts-destination``, spares the pipeline an S3 client and credentials),
else a SQLite database in ``mlruns/`` with the artifacts beside it. SQLite is MLflow's own default
backend in 3.x and works offline; its file store now refuses to start without an opt-out.
Experiment: ``MLFLOW_EXPERIMENT_NAME``, default ``the-hat-and-passwords``.

Logging is best-effort: a failure (of the run's logging or of the registry's update) prints a
warning and the command still exits 0, because the run's models and reports are saved already and
a tracking outage must not fail or undo training.
``reports/tracking.json`` records the outcome (it is also the output of DVC's ``track`` stage).

Usage: python -m pipeline.runs.tracking [--status FAILED --failed-stage STAGE] [STAGE ...]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pipeline import catalog
from pipeline.config import ROOT, Paths, load_params
from pipeline.files import read_json, write_json_atomic
from pipeline.runs.model_registry import mirror, model_alias
from pipeline.runs.record import RunRecord, collect

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


def update_model_registry(uri: str, run_id: str, record: RunRecord, paths: Paths) -> dict:
    """Mirror registry.json in MLflow's Model Registry; a failure warns and is recorded."""
    try:
        from mlflow import MlflowClient

        with quiet_store():
            lines = mirror(MlflowClient(tracking_uri=uri), run_id, record.versions, paths.models)
    except Exception as exc:
        message = first_line(exc)
        print(
            f"tracking: WARNING: MLflow's model registry was not updated ({uri}): {message}. "
            "models/registry.json, which the service reads, is unaffected; "
            "retry with: scripts/step.sh track " + record.tags["stages"].replace(",", " "),
            file=sys.stderr,
        )
        return {"updated": False, "error": message}
    for line in lines:
        print(f"tracking: model registry: {line}")
    return {"updated": True, "alias": model_alias(), "models": lines}


def first_line(exc: BaseException) -> str:
    """An error as one short line, for a warning and reports/tracking.json."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:500]


def main(argv: list[str] | None = None) -> int:
    """Log the run; on any failure warn and return 0 (the run's own outcome stands)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stages", nargs="*", help=f"default: all of {catalog.NAMES}")
    parser.add_argument("--status", choices=("FINISHED", "FAILED"), default="FINISHED")
    parser.add_argument("--failed-stage", help="the stage a failed run stopped in")
    args = parser.parse_args(argv)
    stages = list(dict.fromkeys(args.stages)) or list(catalog.NAMES)
    unknown = sorted(set(stages) - set(catalog.NAMES))
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {catalog.NAMES}")
    paths = Paths.from_env()
    uri, experiment = tracking_uri(), experiment_name()
    previous = read_json(paths.reports / OUTCOME_FILE) or {}
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
        message = first_line(exc)
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
        outcome["model_registry"] = update_model_registry(uri, run_id, record, paths)
    with contextlib.suppress(OSError):
        write_json_atomic(paths.reports / OUTCOME_FILE, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
