"""``run_all.sh`` end to end, on a copy of the repository and a small sample made here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.config import ROOT
from pipeline.passwords.model import ARTIFACT
from tests.run_all import run, use_sample
from tests.samples import make_counts, write_counts

pytestmark = pytest.mark.slow


def test_run_all_passwords_end_to_end(repo_copy: Path, tmp_path: Path) -> None:
    sample = write_counts(tmp_path / "sample.txt", make_counts(2500, seed=3), gz=False)
    use_sample(repo_copy, sample)
    first = run(repo_copy, "passwords")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "=== metrics summary ===" in first.stdout
    assert "[PASS] no duplicate passwords" in first.stdout
    assert "PROMOTED to production: no production model yet" in first.stdout

    reg = json.loads((repo_copy / "models" / "registry.json").read_text())
    version = reg["passwords"]["production"]
    folder = repo_copy / "models" / "passwords" / version
    assert {ARTIFACT, "metadata.json", "predicted_vs_true.png", "error_by_length.png"} <= {
        p.name for p in folder.iterdir()
    }
    assert not list((repo_copy / "data" / "raw").glob("[!.]*"))  # a user file is read in place
    assert (repo_copy / "data" / "processed" / "passwords" / "dataset.csv.gz").exists()

    # Same data, same code: identical metrics, and the equal model is promoted (not worse).
    second = run(repo_copy, "passwords")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "PROMOTED to production: not worse than production on test_rmsle" in second.stdout
    metrics = [
        json.loads((repo_copy / "models" / "passwords" / v / "metadata.json").read_text())
        for v in json.loads((repo_copy / "models" / "registry.json").read_text())["passwords"][
            "versions"
        ]
    ]
    assert metrics[0]["metrics"] == metrics[1]["metrics"]


def test_run_all_fails_with_a_one_line_reason_on_bad_data(repo_copy: Path, tmp_path: Path) -> None:
    rows = make_counts(2500, seed=3)
    sample = write_counts(tmp_path / "dup.txt", rows + rows[:5], gz=False)
    use_sample(repo_copy, sample)
    result = run(repo_copy, "passwords")
    assert result.returncode != 0
    assert "error: data checks failed: no duplicate passwords" in result.stderr
    assert 'run_all.sh: failed in stage "passwords"' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (repo_copy / "models" / "registry.json").exists()


def test_run_all_rejects_an_unknown_stage(repo_copy: Path) -> None:
    result = run(repo_copy, "nonsense")
    assert result.returncode == 2 and 'unknown stage "nonsense"' in result.stderr


def test_run_all_offline_without_mirror_fails_fast(repo_copy: Path) -> None:
    env = {
        "DATA_MIRROR": "",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    result = run(repo_copy, "passwords", env=env)
    assert result.returncode == 1
    assert "could not download https://github.com/danielmiessler/SecLists" in result.stderr
    assert "DATA_MIRROR" in result.stderr


def test_run_all_hat_end_to_end(repo_copy: Path, tmp_path: Path) -> None:
    from tests.conftest import small_hat_params
    from tests.samples import make_newsgroups_tar, write_word_lists

    corpus = make_newsgroups_tar(tmp_path / "news.tar.gz")
    mirror = write_word_lists(tmp_path / "mirror")
    (repo_copy / "params.yaml").write_text(yaml.safe_dump(small_hat_params(corpus)))
    result = run(repo_copy, "hat", env={"DATA_MIRROR": str(mirror)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "== union_all_four" in result.stdout and "ours -> w2v_raw" in result.stdout
    assert "cross-play rate with the held-out families (promotion metric)" in result.stdout
    assert "floors met:" in result.stdout
    reg = json.loads((repo_copy / "models" / "registry.json").read_text())
    player_dir = repo_copy / "models" / "hat" / reg["hat"]["production"] / "player"
    assert (player_dir / "vectors.npy").exists()
    cli = subprocess.run(
        [".venv/bin/python", "-m", "pipeline.hat", "explain", "money", "-n", "3"],
        cwd=repo_copy,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0 and len(json.loads(cli.stdout)) == 3


def test_the_sample_run_command_trains_in_its_own_copy(tmp_path: Path) -> None:
    """``python -m tests.run_all passwords`` (CONTRIBUTING.md; develop's CI job runs every stage,
    whose runs on the same samples test_tracking_end_to_end.py makes): the pipeline on the samples
    in a fresh copy, and settings that point elsewhere (a real models folder) are not followed.
    """
    dest, elsewhere = tmp_path / "sample-run", tmp_path / "real-models"
    (dest / "models").mkdir(parents=True)
    (dest / ".sample-run").write_text("")  # an earlier sample run's folder: replaced
    (dest / "models" / "registry.json").write_text('{"stale": {}}')
    env = {**os.environ, "MODELS_DIR": str(elsewhere), "DATA_MIRROR": str(tmp_path / "none")}
    done = subprocess.run(
        [sys.executable, "-m", "tests.run_all", "passwords", "--dir", str(dest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "=== metrics summary ===" in done.stdout
    registry = json.loads((dest / "models" / "registry.json").read_text())
    assert set(registry) == {"passwords"} and registry["passwords"]["production"]
    assert (dest / "reports" / "promotion.json").is_file()
    assert (dest / "mlruns" / "mlflow.db").is_file()
    assert not elsewhere.exists()


def test_the_sample_run_command_never_replaces_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me\n")
    done = subprocess.run(
        [sys.executable, "-m", "tests.run_all", "--dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and "pass another --dir" in done.stdout + done.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me\n"
