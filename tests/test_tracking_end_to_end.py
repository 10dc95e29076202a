"""``run_all.sh`` logs every run to MLflow: on the small samples, in a copy of the repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pipeline.runs.tracking import quiet_store
from tests.live import free_port
from tests.run_all import run, runs_of, sha256, use_sample, use_small_samples
from tests.samples import make_counts, write_counts

pytestmark = pytest.mark.slow


def test_run_all_logs_one_run_with_both_models(repo_copy: Path, tmp_path: Path) -> None:
    files = use_small_samples(repo_copy, tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    env = {"DATA_MIRROR": str(files["mirror"]), "MLFLOW_TRACKING_URI": uri}
    result = run(repo_copy, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "tracking: run " in result.stdout

    client, found = runs_of(uri)
    assert len(found) == 1
    logged = found[0]
    params, metrics, tags = logged.data.params, logged.data.metrics, logged.data.tags
    assert logged.info.status == "FINISHED"
    assert tags["stages"] == "passwords,hat"
    assert tags["steps"] == "passwords_prepare,passwords_train,hat_train,promote,summary"
    assert tags["mlflow.source.name"] == "run_all.sh"
    assert "git.commit" in tags and "mlflow.source.git.commit" in tags
    # parameters of both stages, and the data each model was trained on
    assert params["passwords.model.gbm.max_iter"] == "200"
    assert params["hat.player.svd.dim"] == "12"
    assert params["data.passwords.file.sha256"] == sha256(files["passwords"])
    assert params["data.hat.corpus.sha256"] == sha256(files["corpus"])
    assert params["data.hat.word_lists.nouns_top_50.sha256"] == sha256(
        files["mirror"] / "hat-vocab" / "nouns_top_50.txt"
    )
    # metrics of both models and their baselines, the promotion, the durations
    pw = json.loads((repo_copy / "reports" / "passwords" / "metrics.json").read_text())
    hat = json.loads((repo_copy / "reports" / "hat" / "metrics.json").read_text())
    assert metrics["passwords.test.model.rmsle"] == pytest.approx(pw["test"]["model"]["rmsle"])
    assert metrics["passwords.test.zxcvbn.rmsle"] == pytest.approx(pw["test"]["zxcvbn"]["rmsle"])
    assert metrics["hat.heldout_cross_play_rate"] == pytest.approx(hat["heldout_cross_play_rate"])
    union = hat["tables"]["union_all_four"]
    for pair in ("ours -> w2v_raw", "ppmi -> ours", "ours -> ours"):
        key = "hat.union_all_four." + pair.replace(" -> ", "_to_") + ".guessed_rate"
        assert metrics[key] == pytest.approx(union[pair]["guessed_rate"])
    assert metrics["promotion.passwords.promoted"] == 1.0
    assert metrics["promotion.hat.promoted"] == 1.0
    for step in ("passwords_prepare", "passwords_train", "hat_train", "promote"):
        assert metrics[f"duration_seconds.{step}"] > 0
    # plots, evaluation tables, metadata and the decision as artifacts
    artifacts = {
        a.path
        for folder in (None, "passwords", "hat", "hat/model")
        for a in client.list_artifacts(logged.info.run_id, folder)
    }
    assert {
        "params.yaml",
        "promotion.json",
        "passwords/predicted_vs_true.png",
        "passwords/evaluation.txt",
        "hat/evaluation.txt",
        "hat/metrics.json",
        "hat/model/metadata.json",
    } <= artifacts

    # both models' versions are registered in MLflow's registry, each the alias's production
    with quiet_store():
        for name in ("passwords", "hat"):
            production = client.get_model_version_by_alias(name, "production")
            assert production.run_id == logged.info.run_id
            assert production.tags["version_id"] == tags[f"{name}.version"]
        files = {a.path for a in client.list_artifacts(logged.info.run_id, "hat/model/player")}
    assert "hat/model/player/meta.json" in files  # the whole version folder, subfolders too

    view = subprocess.run(
        [".venv/bin/python", "-m", "pipeline.runs.history", "--last", "3"],
        cwd=repo_copy,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert view.returncode == 0, view.stderr[-2000:]
    assert logged.info.run_id[:8] in view.stdout
    assert f"{pw['test']['model']['rmsle']:.4f}" in view.stdout


def test_a_failed_run_is_logged_and_keeps_its_exit_status(repo_copy: Path, tmp_path: Path) -> None:
    rows = make_counts(2500, seed=3)
    use_sample(repo_copy, write_counts(tmp_path / "dup.txt", rows + rows[:5], gz=False))
    uri = f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    result = run(repo_copy, "passwords", env={"MLFLOW_TRACKING_URI": uri})
    assert result.returncode == 1
    assert 'run_all.sh: failed in stage "passwords" (exit 1)' in result.stderr
    assert "Traceback" not in result.stderr
    _, found = runs_of(uri)
    assert [r.info.status for r in found] == ["FAILED"]
    assert found[0].data.tags["failed_stage"] == "passwords"
    assert found[0].data.tags["failed_steps"] == "passwords_prepare"
    assert not any(k.startswith("passwords.test") for k in found[0].data.metrics)


def test_a_tracking_outage_does_not_fail_the_run(repo_copy: Path, tmp_path: Path) -> None:
    use_sample(repo_copy, write_counts(tmp_path / "s.txt", make_counts(2500, seed=3), gz=False))
    down = f"http://127.0.0.1:{free_port()}"  # a tracking server that is down
    result = run(repo_copy, "passwords", env={"MLFLOW_TRACKING_URI": down})
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"tracking: WARNING: the run was not logged to MLflow ({down})" in result.stderr
    registry = json.loads((repo_copy / "models" / "registry.json").read_text())
    assert registry["passwords"]["production"]
