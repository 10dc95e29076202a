from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from pipeline.config import Paths


@pytest.fixture(scope="session")
def models_dir(
    tmp_path_factory: pytest.TempPathFactory, trained: Paths, hat_trained: Paths
) -> Path:
    """One models folder with both production models (trained on the synthetic samples)."""
    folder = tmp_path_factory.mktemp("serving-models")
    registry = {}
    for paths, name in ((trained, "passwords"), (hat_trained, "hat")):
        shutil.copytree(paths.models / name, folder / name)
        registry[name] = json.loads((paths.models / "registry.json").read_text())[name]
    (folder / "registry.json").write_text(json.dumps(registry))
    return folder


@pytest.fixture(scope="session")
def app(models_dir: Path) -> Flask:
    return create_app({"models_dir": models_dir})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def live_server(models_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The service under gunicorn, started with the image's command; yields, then stops it."""
    from tests.live import start_image_command

    server = start_image_command(models_dir, tmp_path_factory.mktemp("live") / "server.log")
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()
