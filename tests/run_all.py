"""Running ``run_all.sh`` in a copy of the repository on the small samples, for the end-to-end
tests (run_all, tracking, DVC), and as a command for people and the develop branch's CI job:

    python -m tests.run_all [STAGE ...] [--dir DIR]

the whole pipeline on the tests' synthetic samples in a scratch copy (default ``sample-run/``,
git-ignored), so it needs no real data and never writes to this clone's data/, models/ or MLflow
store: a trained toy model must not become anyone's production model.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from mlflow import MlflowClient

from pipeline.config import ROOT
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
SAMPLE_RUN = ROOT / "sample-run"
MARKER = ".sample-run"  # marks a folder this command made, which the next run may replace
# settings that would send a sample run's data, models or runs somewhere real
NOT_PASSED_ON = (
    "DATA_DIR",
    "MODELS_DIR",
    "REPORTS_DIR",
    "DATA_MIRROR",
    "DATA_REFRESH",
    "MLFLOW_TRACKING_URI",
    "MLFLOW_EXPERIMENT_NAME",
)


def copy_repository(dest: Path, built_kernel: bool = False) -> Path:
    """The repository's files (tracked, and untracked but not ignored) in ``dest``, sharing the
    built virtualenv. With ``built_kernel``, the compiled kernels too (when newer than its
    source, as ``ensure_env`` checks), which spares the copy a compile.
    """
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if built_kernel:
        built = ROOT.glob("pipeline/passwords/*_kernel.*.so")
        files += [str(p.relative_to(ROOT)) for p in built]
    for name in files:
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


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


def main(argv: list[str] | None = None) -> int:
    """Copy, write the samples, run ``run_all.sh``; its exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.run_all",
        description="run_all.sh on the tests' synthetic samples, in a scratch copy of the "
        "repository: no real data, and nothing written to this clone's data/, models/ or "
        "MLflow store.",
    )
    parser.add_argument("stages", nargs="*", metavar="STAGE", help="run_all.sh's stages (all)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=SAMPLE_RUN,
        help="the copy, replaced when a previous sample run made it; its models/ and reports/ "
        "hold the results (default: sample-run/, git-ignored)",
    )
    args = parser.parse_args(argv)
    dest = args.dir.resolve()
    if dest.exists() and any(dest.iterdir()):
        if not (dest / MARKER).is_file():
            print(
                f"run_all: {dest} is not empty and no sample run made it: pass another --dir",
                file=sys.stderr,
            )
            return 2
        shutil.rmtree(dest)
    copy_repository(dest, built_kernel=True)
    (dest / MARKER).write_text("made by python -m tests.run_all; the next run replaces it\n")
    samples = dest / "samples"
    samples.mkdir()
    files = use_small_samples(dest, samples)
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    env["DATA_MIRROR"] = str(files["mirror"])
    print(f"==> run_all.sh on the synthetic samples, in {dest}", file=sys.stderr, flush=True)
    rc = subprocess.run(["bash", "run_all.sh", *args.stages], cwd=dest, env=env, check=False)
    print(
        f"==> run_all.sh exited {rc.returncode}; models in {dest / 'models'}, reports in "
        f"{dest / 'reports'}, the MLflow store in {dest / 'mlruns'}. The samples are tiny: "
        "this shows that the pipeline runs, not how good a model is (its floors may FAIL here).",
        file=sys.stderr,
    )
    return rc.returncode


if __name__ == "__main__":
    sys.exit(main())
