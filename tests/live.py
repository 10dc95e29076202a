"""Start the service the way the image does: the Dockerfile's CMD and ENV, outside Docker."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import requests

from pipeline.config import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dockerfile_command() -> list[str]:
    """The image's start command (the exec-form ``CMD``)."""
    text = (ROOT / "Dockerfile").read_text()
    (cmd,) = re.findall(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)
    return json.loads(cmd)


def dockerfile_env() -> dict[str, str]:
    """The image's ``ENV`` values (``KEY=value`` pairs, with line continuations)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV (.*)$", text, flags=re.MULTILINE):
        env.update(pair.split("=", 1) for pair in line.split())
    return env


def procfile_command() -> str:
    """The Heroku ``web`` process, a shell command line using ``$PORT``."""
    (line,) = [x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:")]
    return line.removeprefix("web:").strip()


class Server:
    """A gunicorn process with its log in a file; ``stop`` waits for it to exit."""

    def __init__(self, command: list[str] | str, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_file = log.open("wb")
        self.started = time.perf_counter()
        if isinstance(command, str):
            # the shell execs the command, so stop() signals gunicorn itself, not a shell that
            # would leave it running (as Heroku's `web:` line, $PORT is still expanded)
            command = f"exec {command}"
        self.proc = subprocess.Popen(
            command,
            shell=isinstance(command, str),
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 30.0) -> float:
        """Seconds from start to the first ``200`` from ``/health``."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return time.perf_counter() - self.started
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.05)
        raise TimeoutError(f"no healthy /health in {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> str:
        """Stop gracefully and return the whole log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self._log_file.close()
        return self.log.read_text()


def start_image_command(
    models_dir: Path, log: Path, args: Sequence[str] = (), **extra_env: str
) -> Server:
    """The Dockerfile's CMD with its ENV, ``MODELS_DIR`` and a free ``PORT``; ``args`` go to
    gunicorn before the app (a benchmark's A/B of another setting, say).
    """
    env = {
        **os.environ,
        **dockerfile_env(),
        "MODELS_DIR": str(models_dir),
        "PORT": str(free_port()),
        **extra_env,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes a fresh one
    *command, app = dockerfile_command()
    return Server([*command, *args, app], env, log)
