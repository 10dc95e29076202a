"""DVC runs the pipeline's own steps: ``dvc repro`` builds, then does nothing until an input
changes, then rebuilds only what depends on it, and never loses a model version of the registry.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline import catalog
from pipeline.config import ROOT
from tests.run_all import runs_of, sha256, use_small_samples
from tests.servers import S3, s3_server


def dvc_stages() -> dict:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def test_dvc_stages_run_the_steps_run_all_runs() -> None:
    """One implementation: each DVC stage is a step of scripts/step.sh that run_all.sh runs."""
    defined = set(re.findall(r"^  (\w+)\) cmd=", (ROOT / "scripts/step.sh").read_text(), re.M))
    script = (ROOT / "run_all.sh").read_text()
    assert 'python3 -m pipeline.catalog steps "$s"' in script  # each model's steps, from the list
    run_all = set(re.findall(r"scripts/step\.sh (\w+)", script))
    run_all |= {step for model in catalog.MODELS for step in model.steps}
    commands = {name: stage["cmd"].split() for name, stage in dvc_stages().items()}
    assert all(cmd[0] == "scripts/step.sh" and cmd[1] == name for name, cmd in commands.items())
    assert run_all <= defined
    assert set(commands) == run_all - {"summary"}  # the summary only prints; DVC shows metrics


def test_dvc_yaml_names_files_and_parameters_that_exist() -> None:
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    for name, stage in dvc_stages().items():
        for dep in stage.get("deps", []):
            if not dep.startswith(("data/", "reports/", "models/")):  # built by an earlier stage
                assert (ROOT / dep).exists(), f"{name}: dependency {dep} does not exist"
        for ref in stage.get("params", []):
            value = params
            for key in ref.split("."):
                assert isinstance(value, dict) and key in value, f"{name}: no {ref} in params.yaml"
                value = value[key]


def outs_of(stage: dict) -> dict[str, dict]:
    """A stage's outputs and their options (an output is a path, or a path with options)."""
    outs: dict[str, dict] = {}
    for out in stage.get("outs", []):
        outs.update(out if isinstance(out, dict) else {out: {}})
    return outs


def test_the_model_registry_is_never_deleted_by_dvc() -> None:
    """DVC deletes a stage's outputs before running it unless they persist; models/ holds every
    version ever trained, so each models output must persist.
    """
    model_outs = {
        path: options
        for stage in dvc_stages().values()
        for path, options in outs_of(stage).items()
        if path.startswith("models")
    }
    assert set(model_outs) == {"models/passwords", "models/hat", "models/registry.json"}
    assert all(options.get("persist") is True for options in model_outs.values())


def dvc(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(repo / ".venv" / "bin" / "dvc"), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env},
        check=False,
    )


@pytest.mark.slow
def test_dvc_repro_rebuilds_only_what_changed_and_round_trips_through_s3(
    repo_copy: Path, tmp_path: Path
) -> None:
    files = use_small_samples(repo_copy, tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    env = {
        "DATA_MIRROR": str(files["mirror"]),
        "MLFLOW_TRACKING_URI": uri,
        "DVC_NO_ANALYTICS": "1",
    }
    # the copy is no git repository; DVC's state goes to the test's folder, not /var/tmp
    for setting in (("core.no_scm", "true"), ("core.site_cache_dir", str(tmp_path / "dvc-site"))):
        assert dvc(repo_copy, "config", "--local", *setting, env=env).returncode == 0

    first = dvc(repo_copy, "repro", env=env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    for stage in dvc_stages():
        assert f"Running stage '{stage}'" in first.stdout
    registry = repo_copy / "models" / "registry.json"
    reg = json.loads(registry.read_text())
    assert reg["passwords"]["production"] and reg["hat"]["production"]
    assert (repo_copy / "dvc.lock").exists()
    built = {p: p.stat().st_mtime_ns for p in (registry, repo_copy / "reports/hat/metrics.json")}

    second = dvc(repo_copy, "repro", env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Running stage" not in second.stdout
    assert "Data and pipelines are up to date." in dvc(repo_copy, "status", env=env).stdout
    assert {p: p.stat().st_mtime_ns for p in built} == built
    assert len(runs_of(uri)[1]) == 1  # one MLflow run: the second repro ran nothing

    # a Hat parameter changes: the Hat stage and what follows it run, the password stages do not
    params = yaml.safe_load((repo_copy / "params.yaml").read_text())
    params["hat"]["game"]["n_guess"] = 4
    (repo_copy / "params.yaml").write_text(yaml.safe_dump(params))
    third = dvc(repo_copy, "repro", env=env)
    assert third.returncode == 0, third.stdout[-3000:] + third.stderr[-3000:]
    ran = set(re.findall(r"Running stage '(\w+)'", third.stdout))
    assert ran == {"hat_train", "promote", "track"}
    # the registry kept the first Hat version next to the new one, and its files
    hat = json.loads(registry.read_text())["hat"]
    assert len(hat["versions"]) == 2
    assert all(
        (repo_copy / "models" / "hat" / v / "metadata.json").exists() for v in hat["versions"]
    )
    assert len(runs_of(uri)[1]) == 2

    # data and models go to an S3 API and come back from it byte for byte, through the committed
    # `minio` remote: its endpoint and the credentials in .dvc/config.local, as the docs show
    cached = cached_outs(repo_copy)
    contents = file_hashes(repo_copy, cached)
    assert "models/registry.json" in contents and any(p.startswith("models/hat/") for p in contents)
    with s3_server(tmp_path / "s3") as s3:
        for command in s3_remote_commands(s3):
            done = dvc(repo_copy, *command, env=env)
            assert done.returncode == 0, done.stderr[-3000:]
        pushed = dvc(repo_copy, "push", "-r", "minio", env=env)
        assert pushed.returncode == 0, pushed.stdout[-3000:] + pushed.stderr[-3000:]
        config = (repo_copy / ".dvc" / "config").read_text()
        assert s3.secret_access_key not in config and s3.endpoint not in config
        assert len(s3.objects("dvc/")) >= len(set(contents.values()))  # each file's content once

        for out in cached:
            if (repo_copy / out).is_dir():
                shutil.rmtree(repo_copy / out)
            else:
                (repo_copy / out).unlink()
        shutil.rmtree(repo_copy / ".dvc" / "cache")
        # the other way to give credentials: the environment (AWS's variables), none in a file
        for key in ("access_key_id", "secret_access_key"):
            unset = dvc(repo_copy, "remote", "modify", "--local", "--unset", "minio", key, env=env)
            assert unset.returncode == 0, unset.stderr
        pulled = dvc(repo_copy, "pull", "-r", "minio", env={**env, **s3.env()})
        assert pulled.returncode == 0, pulled.stdout[-3000:] + pulled.stderr[-3000:]
    assert file_hashes(repo_copy, cached) == contents
    assert json.loads(registry.read_text())["hat"] == hat
    assert "Data and pipelines are up to date." in dvc(repo_copy, "status", env=env).stdout


def s3_remote_commands(s3: S3) -> list[list[str]]:
    """The committed `minio` remote pointed at ``s3``, credentials in the git-ignored
    .dvc/config.local (docs/operations.md shows the same commands).
    """
    return [
        ["remote", "modify", "--local", "minio", "endpointurl", s3.endpoint],
        ["remote", "modify", "--local", "minio", "access_key_id", s3.access_key_id],
        ["remote", "modify", "--local", "minio", "secret_access_key", s3.secret_access_key],
    ]


def cached_outs(repo: Path) -> list[str]:
    """The outputs DVC caches (and so pushes and pulls)."""
    return [
        path
        for stage in dvc_stages().values()
        for path, options in outs_of(stage).items()
        if options.get("cache", True) and (repo / path).exists()
    ]


def file_hashes(repo: Path, outs: list[str]) -> dict[str, str]:
    """Path -> sha256 of every file of ``outs``."""
    files = []
    for out in outs:
        path = repo / out
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return {str(f.relative_to(repo)): sha256(f) for f in files}
