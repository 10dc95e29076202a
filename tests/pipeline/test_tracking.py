"""MLflow tracking of a run: what is gathered from the stages' files, and what reaches MLflow."""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient

from pipeline import runs, tracking
from pipeline.config import Paths, load_params

HAT_REPORT = {
    "version": "v-hat",
    "promoted": True,
    "cross_play_score": 0.75,
    "tables": {
        "nouns_top_50": {
            "ours -> ours": {"guessed_rate": 0.98, "mean_score": 4.68},
            "ours -> w2v_raw": {"guessed_rate": 0.6, "mean_score": 2.76},
        },
        "union_all_four": {"w2v_raw -> ours": {"guessed_rate": 0.82, "mean_score": 3.73}},
    },
    "floors": [{"passed": True}, {"passed": False}, {"passed": True}],
    "corpus": {"documents": 10},
}


def test_metric_names_are_ones_mlflow_accepts() -> None:
    assert (
        tracking.metric_key("passwords", "test", "constant (RMSLE-optimal)", "rmsle")
        == "passwords.test.constant_rmsle-optimal.rmsle"
    )
    assert tracking.metric_key("hat", "nouns_top_50", "ours -> w2v_raw", "guessed_rate") == (
        "hat.nouns_top_50.ours_to_w2v_raw.guessed_rate"
    )


def test_params_are_flattened_and_completed_by_what_the_model_recorded() -> None:
    section = {"player": {}, "game": {"n_guess": 5}, "corpus": "20newsgroups"}
    recorded = {"player": {"w2v": {"dim": 128}}, "game": {"n_guess": 5, "criteria": "soft"}}
    flat = tracking.flatten(tracking.deep_merge(section, recorded), "hat")
    assert flat == {
        "hat.player.w2v.dim": "128",
        "hat.game.n_guess": "5",
        "hat.game.criteria": "soft",
        "hat.corpus": "20newsgroups",
    }
    assert tracking.flatten({"a": [1, 2], "b": None, "c": True}, "p") == {
        "p.a": "[1, 2]",
        "p.b": "null",
        "p.c": "true",
    }


def test_hat_metrics_hold_every_pair_of_every_word_list() -> None:
    metrics = tracking.hat_metrics(HAT_REPORT)
    assert metrics == {
        "hat.cross_play_score": 0.75,
        "hat.nouns_top_50.ours_to_ours.guessed_rate": 0.98,
        "hat.nouns_top_50.ours_to_ours.mean_score": 4.68,
        "hat.nouns_top_50.ours_to_w2v_raw.guessed_rate": 0.6,
        "hat.nouns_top_50.ours_to_w2v_raw.mean_score": 2.76,
        "hat.union_all_four.w2v_raw_to_ours.guessed_rate": 0.82,
        "hat.union_all_four.w2v_raw_to_ours.mean_score": 3.73,
        "hat.floors_passed": 2.0,
        "hat.floors_total": 3.0,
    }


def test_password_metrics_skip_undefined_values() -> None:
    report = {
        "test": {
            "model": {"rmsle": 0.43, "spearman": 0.52},
            "constant (RMSLE-optimal)": {"rmsle": 0.64, "spearman": None},
        },
        "censoring": {"share_below_rarest_listed": None},
    }
    assert tracking.password_metrics(report) == {
        "passwords.test.model.rmsle": 0.43,
        "passwords.test.model.spearman": 0.52,
        "passwords.test.constant_rmsle-optimal.rmsle": 0.64,
    }


def test_a_run_is_the_steps_started_since_the_last_logged_run() -> None:
    records = {
        "passwords_train": {"step": "passwords_train", "started_at": 20.0, "finished_at": 30.0},
        "passwords_prepare": {"step": "passwords_prepare", "started_at": 12.0, "finished_at": 19},
        "hat_train": {"step": "hat_train", "started_at": 5.0, "finished_at": 9.0},
        "track": {"step": "track", "started_at": 10.0, "finished_at": 11.0},
    }
    steps = tracking.steps_of_run(records, since=10.5)
    assert [s["step"] for s in steps] == ["passwords_prepare", "passwords_train"]
    assert tracking.duration_metrics(steps) == {
        "duration_seconds.passwords_prepare": 7.0,
        "duration_seconds.passwords_train": 10.0,
        "duration_seconds.total": 18.0,
    }
    assert len(tracking.steps_of_run(records, since=-math.inf)) == 3


def test_sqlite_artifacts_live_beside_the_database(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    assert tracking.artifact_location(uri) == (tmp_path / "store" / "artifacts").as_uri()
    assert tracking.artifact_location("http://mlflow.internal:5000") is None


@pytest.fixture
def run_dir(trained: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """A copy of a finished passwords run, with its step records, as the environment's paths."""
    base = tmp_path / "run"
    shutil.copytree(trained.data.parent, base)
    paths = Paths(data=base / "data", models=base / "models", reports=base / "reports")
    steps = paths.reports / "steps"
    steps.mkdir(parents=True)
    now = time.time()
    for i, step in enumerate(("passwords_prepare", "passwords_train", "promote")):
        record = {"step": step, "started_at": now + i, "finished_at": now + i + 0.5, "exit_code": 0}
        (steps / f"{step}.json").write_text(json.dumps(record))
    monkeypatch.setenv("DATA_DIR", str(paths.data))
    monkeypatch.setenv("MODELS_DIR", str(paths.models))
    monkeypatch.setenv("REPORTS_DIR", str(paths.reports))
    return paths


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
    assert runs.main(["--last", "5"]) == 0
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


def test_a_run_that_failed_before_any_step_claims_no_report(run_dir: Paths) -> None:
    shutil.rmtree(run_dir.reports / "steps")
    record = tracking.collect(["passwords"], run_dir, load_params(), status="FAILED")
    assert "passwords.version" not in record.tags
    assert not any(path.name == "metrics.json" for path, _ in record.artifacts)
    finished = tracking.collect(["passwords"], run_dir, load_params())
    assert "passwords.version" in finished.tags  # a finished run takes the current reports


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


def test_the_runs_view_says_when_there_is_nothing_to_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "nothing-here")
    assert runs.main([]) == 1
    assert "no runs in experiment 'nothing-here'" in capsys.readouterr().out
