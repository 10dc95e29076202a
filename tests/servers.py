"""Throwaway servers on loopback for the end-to-end tests of a team's storage and tracking: an
S3 API (moto in server mode, standing in for MinIO or AWS S3) and an MLflow tracking server with
a SQL backend in a temporary folder and its artifacts on that S3 API.

Each runs in a process group of its own, on a free port, with its log in a file; leaving the
``with`` block stops the whole group (the MLflow server forks workers), even when the test failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from pipeline.config import ROOT
from tests.live import free_port

VENV_BIN = ROOT / ".venv" / "bin"
BUCKET = "hat-and-passwords"  # the bucket of .dvc/config's minio remote and docker-compose.yml
MLFLOW_PREFIX = "mlflow"  # where the tracking server keeps run artifacts in the bucket
AWS_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


def mlflow_server_args(database: Path, port: int) -> list[str]:
    """The arguments of ``mlflow server`` as docs/operations.md shows them (a test compares)."""
    return [
        "server",
        "--backend-store-uri",
        f"sqlite:///{database}",
        "--artifacts-destination",
        f"s3://{BUCKET}/{MLFLOW_PREFIX}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]


class Background:
    """A server process in its own process group, logging to a file."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            command,
            cwd=log.parent,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends its workers too
        )

    def wait_for(self, url: str, timeout: float) -> float:
        """Seconds until ``url`` answers 200; an error with the log when it exits or times out."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{url}: the server exited: {self.log.read_text()[-3000:]}")
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(url, timeout=2).status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.2)
        raise TimeoutError(f"{url} did not answer in {timeout} s: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL after 20 s; the group is this server's alone."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # a worker left behind by its parent
        self._log_file.close()


@dataclass(frozen=True)
class S3:
    """An S3 API on loopback, its credentials (any will do for moto) and one bucket."""

    endpoint: str
    access_key_id: str = "test-key-id"
    secret_access_key: str = "test-secret"  # moto takes any
    bucket: str = BUCKET

    def env(self) -> dict[str, str]:
        """The variables an S3 client (boto3, DVC, MLflow's server) reads."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name="us-east-1",
        )

    def objects(self, prefix: str) -> dict[str, str]:
        """Key -> sha256 of every object under ``prefix``."""
        client, found = self.client(), {}
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        ):
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                found[item["Key"]] = hashlib.sha256(body).hexdigest()
        return found


def without_aws(env: dict[str, str]) -> dict[str, str]:
    """``env`` without S3 credentials or endpoints: what a client of the tracking server has."""
    return {k: v for k, v in env.items() if k not in AWS_ENV and k != "MLFLOW_S3_ENDPOINT_URL"}


@contextlib.contextmanager
def s3_server(folder: Path) -> Iterator[S3]:
    """moto's S3 API on a free loopback port, with the project's bucket created."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = Background(
        [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        without_aws(dict(os.environ)),
        folder / "moto.log",
    )
    try:
        s3 = S3(endpoint=f"http://127.0.0.1:{port}")
        server.wait_for(f"{s3.endpoint}/moto-api/", timeout=60)
        s3.client().create_bucket(Bucket=s3.bucket)
        yield s3
    finally:
        server.stop()


@contextlib.contextmanager
def mlflow_server(folder: Path, s3: S3) -> Iterator[str]:
    """``mlflow server`` on a free loopback port: runs in SQLite in ``folder``, artifacts on
    ``s3`` (proxied: clients need no S3 access). Yields the tracking URI.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **without_aws(dict(os.environ)),
        **s3.env(),
        "MLFLOW_S3_ENDPOINT_URL": s3.endpoint,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    }
    server = Background(
        [str(VENV_BIN / "mlflow"), *mlflow_server_args(folder / "mlflow.db", port)],
        env,
        folder / "mlflow-server.log",
    )
    try:
        uri = f"http://127.0.0.1:{port}"
        server.wait_for(f"{uri}/health", timeout=180)
        yield uri
    finally:
        server.stop()
