"""The reproducibility check on the small sample: two full runs must agree exactly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.runs.reproduce import differences, stable
from tests.conftest import small_hat_params
from tests.samples import (
    make_counts,
    make_leak,
    make_newsgroups_tar,
    write_counts,
    write_word_lists,
)


def test_differences_finds_every_changed_leaf() -> None:
    a = {"m": {"rmsle": 0.5, "rows": [1, 2]}, "version": "v1", "fit_seconds": 3.0}
    b = {"m": {"rmsle": 0.51, "rows": [1, 3]}, "version": "v2", "fit_seconds": 4.0}
    assert differences(stable(a), stable(b)) == ["/m/rmsle: 0.5 != 0.51", "/m/rows[1]: 2 != 3"]
    assert differences(stable(a), stable({**a, "version": "v9"})) == []


@pytest.mark.slow
def test_two_runs_on_the_sample_are_identical(repo_copy: Path, tmp_path: Path) -> None:
    sample = write_counts(tmp_path / "sample.txt", make_counts(2000, seed=3), gz=False)
    corpus = make_newsgroups_tar(tmp_path / "news.tar.gz")
    mirror = write_word_lists(tmp_path / "mirror")
    params = small_hat_params(corpus)
    leak = write_counts(tmp_path / "otherleak.txt", make_leak(make_counts(2000, seed=3)), gz=False)
    params["passwords"]["source"] = str(sample)
    params["passwords"]["external"]["sources"] = [str(leak)]
    params["passwords"]["model"]["gbm"]["max_iter"] = 100
    (repo_copy / "params.yaml").write_text(yaml.safe_dump(params))
    result = subprocess.run(
        [".venv/bin/python", "-m", "pipeline.runs.reproduce", "passwords", "hat"],
        cwd=repo_copy,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "DATA_MIRROR": str(mirror)},
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "identical metrics" in result.stdout
