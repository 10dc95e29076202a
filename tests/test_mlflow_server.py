"""A team's MLflow: ``run_all.sh`` logs to a tracking server (runs in SQLite, artifacts on an S3
API), and MLflow's Model Registry mirrors ``models/registry.json``: every new version registered,
the alias ``production`` on registry.json's production. The servers (moto's S3 and ``mlflow
server``) run on loopback for this module and are stopped after it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from mlflow import MlflowClient

from pipeline.config import ROOT
from pipeline.passwords.model import ARTIFACT
from pipeline.runs.tracking import quiet_store
from tests.run_all import copy_repository, run, sha256, use_sample
from tests.samples import make_counts, write_counts
from tests.servers import AWS_ENV, MLFLOW_PREFIX, S3, mlflow_server, s3_server

pytestmark = pytest.mark.slow

MAX_ITER = 30  # boosting rounds of a good small model; 1 makes a much worse one
# as docs/operations.md shows them: production's files, through the server (MLflow's default,
# presigned S3 URLs, names the server's S3 endpoint and hands .gz files back decompressed: S3
# keeps them with Content-Encoding: gzip, and the HTTP client decodes them)
DOWNLOAD = ["artifacts", "download", "--artifact-uri", "models:/passwords@production"]
DOWNLOAD_ENV = {"MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD": "false"}


@dataclass(frozen=True)
class FirstRun:
    """The servers, and a copy of the repository after one ``./run_all.sh passwords``."""

    uri: str
    s3: S3
    repo: Path
    sample: Path
    run_id: str
    version: str  # the model version it trained and promoted


def run_against(repo: Path, uri: str, *stages: str):
    """``run_all.sh`` logging to ``uri``, with no S3 credentials: artifacts go through the
    server, which alone can write to the bucket.
    """
    env = {"MLFLOW_TRACKING_URI": uri, "MLFLOW_EXPERIMENT_NAME": "team-server"}
    result = run(repo, *stages, env=env, drop=(*AWS_ENV, "MLFLOW_S3_ENDPOINT_URL"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "tracking: WARNING" not in result.stderr, result.stderr[-3000:]
    return result


def production_of(repo: Path) -> str:
    return json.loads((repo / "models" / "registry.json").read_text())["passwords"]["production"]


def set_max_iter(repo: Path, max_iter: int) -> None:
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["passwords"]["model"]["gbm"]["max_iter"] = max_iter
    (repo / "params.yaml").write_text(yaml.safe_dump(params))


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    folder = tmp_path_factory.mktemp("team")
    with s3_server(folder / "s3") as s3, mlflow_server(folder / "mlflow", s3) as uri:
        repo = copy_repository(folder / "repo")
        sample = write_counts(folder / "sample.txt", make_counts(2500, seed=3), gz=False)
        use_sample(repo, sample)
        set_max_iter(repo, MAX_ITER)
        result = run_against(repo, uri, "passwords")
        logged = re.search(r"tracking: run (\w+) logged to experiment 'team-server'", result.stdout)
        assert logged, result.stdout[-3000:]
        yield FirstRun(uri, s3, repo, sample, logged[1], production_of(repo))


def registered(client: MlflowClient, version: str):
    """The MLflow version of ``passwords`` registered from our ``version``."""
    (found,) = client.search_model_versions(f"name = 'passwords' and tags.version_id = '{version}'")
    return found


def test_run_all_logs_to_a_team_server_with_artifacts_on_s3(
    first: FirstRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with quiet_store():
        client = MlflowClient(tracking_uri=first.uri)
        logged = client.get_run(first.run_id)
        experiment = client.get_experiment(logged.info.experiment_id)
        artifacts = {
            a.path
            for folder in (None, "passwords", "passwords/model")
            for a in client.list_artifacts(first.run_id, folder)
        }
    params, metrics, tags = logged.data.params, logged.data.metrics, logged.data.tags
    report = json.loads((first.repo / "reports" / "passwords" / "metrics.json").read_text())
    assert experiment.name == "team-server" and logged.info.status == "FINISHED"
    assert params["passwords.model.gbm.max_iter"] == str(MAX_ITER)
    assert params["data.passwords.file.sha256"] == sha256(first.sample)
    assert metrics["passwords.test.model.rmsle"] == pytest.approx(report["test"]["model"]["rmsle"])
    assert metrics["promotion.passwords.promoted"] == 1.0
    assert tags["passwords.version"] == first.version
    assert tags["mlflow.source.name"] == "run_all.sh"
    model_files = {f"passwords/model/{n}" for n in (ARTIFACT, "metadata.json", "evaluation.txt")}
    assert {"params.yaml", "promotion.json", "passwords/metrics.json"} | model_files <= artifacts

    # the artifacts went through the server (the run had no S3 access) to the bucket, unchanged
    assert experiment.artifact_location.startswith("mlflow-artifacts:")
    stored = first.s3.objects(f"{MLFLOW_PREFIX}/")
    suffix = f"{first.run_id}/artifacts/passwords/model/{ARTIFACT}"
    (key,) = [k for k in stored if k.endswith(suffix)]
    local = first.repo / "models" / "passwords" / first.version / ARTIFACT
    assert stored[key] == sha256(local)

    # the version is registered from those files, with its lineage as tags
    with quiet_store():
        found = registered(client, first.version)
    assert found.run_id == first.run_id
    dataset = json.loads((first.repo / "data/processed/passwords/dataset.json").read_text())
    metadata = json.loads((local.parent / "metadata.json").read_text())
    assert found.tags["data.passwords.file.sha256"] == dataset["data"]["sha256"]
    assert found.tags["git.commit"] == metadata["git_commit"]
    assert found.tags["promoted_when_trained"] == "true"
    assert float(found.tags["test_rmsle"]) == pytest.approx(metadata["promotion"]["candidate"])

    # and a team member gets the model back from MLflow, byte for byte (see DOWNLOAD_ENV)
    import mlflow.artifacts

    monkeypatch.setenv("MLFLOW_TRACKING_URI", first.uri)
    for name, value in DOWNLOAD_ENV.items():
        monkeypatch.setenv(name, value)
    with quiet_store():
        fetched = mlflow.artifacts.download_artifacts(
            f"models:/passwords/{found.version}", dst_path=str(tmp_path / "fetched")
        )
    assert sha256(Path(fetched) / ARTIFACT) == sha256(local)


def test_the_production_alias_follows_promotions_and_never_a_rejected_candidate(
    first: FirstRun, tmp_path: Path
) -> None:
    repo, client = first.repo, MlflowClient(tracking_uri=first.uri)

    def alias_version_id() -> str:
        with quiet_store():
            return client.get_model_version_by_alias("passwords", "production").tags["version_id"]

    assert alias_version_id() == first.version == production_of(repo)

    set_max_iter(repo, 1)  # one boosting round: a much worse candidate
    worse = run_against(repo, first.uri, "passwords")
    assert "NOT promoted" in worse.stdout and "REJECT" in worse.stdout, worse.stdout[-2000:]
    versions = json.loads((repo / "models" / "registry.json").read_text())["passwords"]["versions"]
    (rejected,) = [v for v, e in versions.items() if not e["promoted"]]
    assert production_of(repo) == first.version
    with quiet_store():
        assert registered(client, rejected).tags["promoted_when_trained"] == "false"
    assert alias_version_id() == first.version  # registered, but the alias did not move

    set_max_iter(repo, MAX_ITER)  # as the first: not worse than production, so promoted
    run_against(repo, first.uri, "passwords")
    third = production_of(repo)
    assert third not in (first.version, rejected)
    assert alias_version_id() == third

    # production's files, by the alias, with the command docs/operations.md shows
    download = subprocess.run(
        [str(ROOT / ".venv/bin/mlflow"), *DOWNLOAD, "--dst-path", str(tmp_path / "production")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MLFLOW_TRACKING_URI": first.uri, **DOWNLOAD_ENV},
        check=False,
    )
    assert download.returncode == 0, download.stderr[-2000:]
    fetched = Path(download.stdout.strip().splitlines()[-1])
    assert sha256(fetched / ARTIFACT) == sha256(repo / "models" / "passwords" / third / ARTIFACT)
