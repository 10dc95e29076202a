"""The service stays lean: building the app loads no pipeline-only tooling."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.config import ROOT

# installed for the pipeline (tracking) and development (DVC, S3); the service must never load them
TOOLING = ("mlflow", "sqlalchemy", "alembic", "dvc", "dvc_s3", "boto3", "botocore", "s3fs", "moto")
# what the image (``pipenv install --deploy``: Pipfile.lock's default section) must not install:
# the full MLflow (its server), DVC and any S3 client. The pipeline's mlflow-skinny logs
# artifacts through the tracking server, so it needs none of them.
DEV_ONLY = ("mlflow", "dvc", "dvc-s3", "boto3", "botocore", "s3fs", "aiobotocore", "moto")


def test_create_app_imports_no_tracking_or_versioning_library(models_dir: Path) -> None:
    # a fresh interpreter: this test process has imported mlflow through other tests
    code = (
        "import sys\n"
        "from app import create_app\n"
        f"app = create_app({{'models_dir': {str(models_dir)!r}}})\n"
        "assert app.test_client().get('/health').status_code == 200\n"  # both models served
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({TOOLING!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_the_image_installs_no_mlflow_server_dvc_or_s3_client() -> None:
    runtime = json.loads((ROOT / "Pipfile.lock").read_text())["default"]
    assert not set(DEV_ONLY) & set(runtime)
    dev = json.loads((ROOT / "Pipfile.lock").read_text())["develop"]
    assert {"mlflow", "dvc-s3", "boto3", "moto"} <= set(dev)  # the names are right
