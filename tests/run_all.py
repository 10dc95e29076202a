"""Running ``run_all.sh`` in a copy of the repository on the small samples, for the end-to-end
tests (run_all, tracking, DVC).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import yaml
from mlflow import MlflowClient

from pipeline.runs.tracking import DEFAULT_EXPERIMENT, quiet_store
from tests.conftest import small_hat_params
from tests.samples import (
    make_counts,
    make_leak,
    make_newsgroups_tar,
    write_counts,
    write_word_lists,
)

EXPERIMENT = DEFAULT_EXPERIMENT


def run(repo: Path, *args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()):
    """``run_all.sh ARGS`` in ``repo``, with this environment plus ``env``, less ``drop``."""
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in drop}
    return subprocess.run(
        ["bash", "run_all.sh", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
        check=False,
    )


def use_sample(repo: Path, sample: Path) -> None:
    """The passwords stage on ``sample``, validated on a small leak of another site beside it."""
    leak = write_counts(
        sample.with_name("otherleak.txt"), make_leak(make_counts(2500, seed=3)), gz=False
    )
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["passwords"]["source"] = str(sample)
    params["passwords"]["external"]["sources"] = [str(leak)]
    params["passwords"]["model"]["gbm"]["max_iter"] = 200
    (repo / "params.yaml").write_text(yaml.safe_dump(params))


def use_small_samples(repo: Path, tmp_path: Path) -> dict[str, Path]:
    """Both stages on the small samples; returns the sample files and the word-list mirror."""
    files = {
        "passwords": write_counts(tmp_path / "sample.txt", make_counts(2500, seed=3), gz=False),
        "corpus": make_newsgroups_tar(tmp_path / "news.tar.gz"),
        "mirror": write_word_lists(tmp_path / "mirror"),
    }
    use_sample(repo, files["passwords"])
    params = yaml.safe_load((repo / "params.yaml").read_text())
    (repo / "params.yaml").write_text(yaml.safe_dump(small_hat_params(files["corpus"], params)))
    return files


def runs_of(uri: str) -> tuple[MlflowClient, list]:
    with quiet_store():
        client = MlflowClient(tracking_uri=uri)
        experiment = client.get_experiment_by_name(EXPERIMENT)
        assert experiment is not None, f"no experiment {EXPERIMENT} at {uri}"
        return client, client.search_runs([experiment.experiment_id])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
