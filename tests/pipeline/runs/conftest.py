"""A finished passwords run on disk, and throwaway MLflow stores, for the tracking tests."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from pipeline.config import Paths
from pipeline.runs.tracking import quiet_store


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


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQLite database with its tables made (seconds of migrations), to copy."""
    from mlflow import MlflowClient

    database = tmp_path_factory.mktemp("empty-store") / "mlflow.db"
    with quiet_store():
        MlflowClient(tracking_uri=f"sqlite:///{database}").search_experiments()
    return database


@pytest.fixture
def store_uri(empty_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh MLflow store of this test's own, as ``MLFLOW_TRACKING_URI``."""
    database = tmp_path / "mlruns" / "mlflow.db"
    database.parent.mkdir()
    shutil.copy(empty_store, database)
    uri = f"sqlite:///{database}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri
