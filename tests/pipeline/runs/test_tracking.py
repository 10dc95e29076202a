"""MLflow tracking of a run: what is gathered from the stages' files, and what reaches MLflow."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient

from pipeline.config import Paths, load_params
from pipeline.runs import history, record, tracking
from tests.live import free_port


def test_sqlite_artifacts_live_beside_the_database(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    assert tracking.artifact_location(uri) == (tmp_path / "store" / "artifacts").as_uri()
    assert tracking.artifact_location("http://mlflow.internal:5000") is None


def _only_run(uri: str, experiment: str = tracking.DEFAULT_EXPERIMENT):
    with tracking.quiet_store():
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        assert found is not None
        found_runs = client.search_runs([found.experiment_id])
    assert len(found_runs) == 1
    return client, found_runs[0]


def test_a_run_reaches_mlflow_with_params_data_metrics_and_artifacts(
    run_dir: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert tracking.main(["passwords"]) == 0
    assert "logged to experiment 'the-hat-and-passwords'" in capsys.readouterr().out

    client, run = _only_run(uri)
    report = json.loads((run_dir.reports / "passwords" / "metrics.json").read_text())
    dataset = json.loads((run_dir.processed / "passwords" / "dataset.json").read_text())
    assert run.info.status == "FINISHED"
    assert run.data.params["passwords.model.gbm.max_iter"] == "300"  # the fixture's value
    assert run.data.params["data.passwords.file.sha256"] == dataset["data"]["sha256"]
    assert run.data.params["data.passwords.rows"] == str(dataset["rows"])
    assert run.data.metrics["passwords.test.model.rmsle"] == pytest.approx(
        report["test"]["model"]["rmsle"]
    )
    assert "passwords.test.zxcvbn.spearman" in run.data.metrics
    assert run.data.metrics["duration_seconds.passwords_train"] == pytest.approx(0.5)
    assert run.data.tags["passwords.version"] == report["version"]
    assert run.data.tags["steps"] == "passwords_prepare,passwords_train,promote"
    assert "=== metrics summary ===" in run.data.tags["mlflow.note.content"]
    logged = {a.path for a in client.list_artifacts(run.info.run_id, "passwords")}
    assert {
        "passwords/metrics.json",
        "passwords/predicted_vs_true.png",
        "passwords/error_by_length.png",
        "passwords/evaluation.txt",
    } <= logged
    assert (tmp_path / "mlruns" / "artifacts" / run.info.run_id).is_dir()
    outcome = json.loads((run_dir.reports / "tracking.json").read_text())
    assert outcome["logged"] is True and outcome["run_id"] == run.info.run_id

    # the runs view finds it; a second run with nothing new shows no step durations
    assert tracking.main(["passwords"]) == 0
    capsys.readouterr()
    assert history.main(["--last", "5"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert "pw RMSLE" in table[1] and len(table) == 4
    assert f"{report['test']['model']['rmsle']:.4f}" in table[2]
    assert table[3].split()[2][:8] == run.info.run_id[:8]  # newest first: the first run last


def test_a_failed_run_logs_only_what_it_produced(
    run_dir: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reports on disk are an older run's: a run that failed must not claim them."""
    uri = f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    old = time.time() - 3600
    for path in run_dir.reports.rglob("*"):
        if path.is_file() and "steps" not in path.parts:
            os.utime(path, (old, old))
    record = {"step": "passwords_train", "started_at": time.time(), "finished_at": time.time()}
    (run_dir.reports / "steps" / "passwords_train.json").write_text(
        json.dumps(record | {"exit_code": 1})
    )
    args = ["--status", "FAILED", "--failed-stage", "passwords", "passwords"]
    assert tracking.main(args) == 0
    _, run = _only_run(uri)
    assert run.info.status == "FAILED"
    assert run.data.tags["failed_stage"] == "passwords"
    assert run.data.tags["failed_steps"] == "passwords_train"
    assert not any(k.startswith("passwords.test") for k in run.data.metrics)
    assert "passwords.version" not in run.data.tags
    assert run.data.params["passwords.model.seed"] == str(
        load_params()["passwords"]["model"]["seed"]
    )


def test_a_tracking_failure_warns_and_exits_zero(
    run_dir: Paths, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "bogus://nowhere")
    assert tracking.main(["passwords"]) == 0
    err = capsys.readouterr().err
    assert "tracking: WARNING: the run was not logged to MLflow (bogus://nowhere)" in err
    assert "models and reports of the run are saved" in err
    outcome = json.loads((run_dir.reports / "tracking.json").read_text())
    assert outcome["logged"] is False and outcome["steps_until"] is None  # a retry logs the same


def test_a_tracking_server_that_is_down_costs_the_run_seconds_and_nothing_else(
    run_dir: Paths, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    uri = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    started = time.perf_counter()
    assert tracking.main(["passwords"]) == 0
    seconds = time.perf_counter() - started
    err = capsys.readouterr().err
    assert f"tracking: WARNING: the run was not logged to MLflow ({uri})" in err
    assert seconds < 60, f"gave up after {seconds:.0f} s"  # MLflow's own defaults: minutes
    assert json.loads((run_dir.reports / "tracking.json").read_text())["logged"] is False


def test_the_runs_view_says_when_there_is_nothing_to_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "nothing-here")
    assert history.main([]) == 1
    assert "no runs in experiment 'nothing-here'" in capsys.readouterr().out


def test_a_run_that_failed_before_any_step_claims_no_report(run_dir: Paths) -> None:
    shutil.rmtree(run_dir.reports / "steps")
    failed = record.collect(["passwords"], run_dir, load_params(), status="FAILED")
    assert "passwords.version" not in failed.tags
    assert not any(path.name == "metrics.json" for path, _ in failed.artifacts)
    finished = record.collect(["passwords"], run_dir, load_params())
    assert "passwords.version" in finished.tags  # a finished run takes the current reports
