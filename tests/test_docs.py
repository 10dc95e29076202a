"""The README, CONTRIBUTING.md and the chapters in docs/ show commands that exist and run as
written.

Every command in a shell code block and in the README's commands table is checked: a project
module (``python -m pipeline...``, ``benchmarks...``, ``tests...``) answers ``--help``; a script of
the repository exists and is executable; a program under ``.venv/bin`` is installed; the read-only
checks CONTRIBUTING.md shows pass. Commands that need the network, a Docker engine, a server or real
data (curl, docker, heroku, ...) are only named here; the longer ones CONTRIBUTING.md shows run in
tests of their own (pre-commit in test_pre_commit.py, ``python -m tests.run_all`` in
test_run_all.py).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import ROOT
from tests.servers import S3, mlflow_server_args
from tests.test_dvc import s3_remote_commands
from tests.test_mlflow_server import DOWNLOAD, DOWNLOAD_ENV

DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```(?:bash|sh)\n(.*?)```", re.S)
TABLE_COMMAND = re.compile(r"^\| `([^`]+)` \|", re.M)
MODULE = re.compile(r"(?:^|\s)(?:\.venv/bin/)?python3?(?:\.11)? -m ([\w.]+)")
NOT_HERE = ("curl", "docker", "heroku", "pipx", "kubectl", "export", "pipenv", "git", "echo", "#")


def commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        blocks = [
            line
            for block in FENCE.findall(text)
            for line in block.replace("\\\n", " ").splitlines()  # a command over two lines
        ]
        table = TABLE_COMMAND.findall(text) if doc.name == "README.md" else []  # its commands
        lines = blocks + table
        for line in lines:
            line = line.split(" #")[0].strip()
            if line and not line.startswith("#"):
                found.append((doc.name, line))
    return found


COMMANDS = commands()


def test_the_docs_show_commands() -> None:
    assert len(COMMANDS) > 30
    assert any("pipeline.registry.gate" in c for _, c in COMMANDS)


@pytest.mark.parametrize(
    "module",
    sorted(
        {
            m
            for _, c in COMMANDS
            for m in MODULE.findall(c)
            if m.split(".")[0] in ("pipeline", "benchmarks", "tests")
        }
    ),
)
def test_every_project_module_shown_answers_help(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()


def _local_program(line: str) -> str | None:
    """The repository file or virtualenv program a command line starts with, if any."""
    env_free = re.sub(r"^(\w+=\S*\s+)+", "", line)  # DATA_MIRROR=... ./run_all.sh
    try:
        first = shlex.split(env_free)[0]
    except (ValueError, IndexError):
        return None
    words = shlex.split(env_free)
    wrapper = first in ("time", "bash", "sh")
    script = first in ("python", "python3", ".venv/bin/python") and words[1:2] != ["-m"]
    if (wrapper or script) and len(words) > 1:
        first = words[1]
    if first.startswith(("./", "scripts/", ".venv/bin/", ".ci/", "bin/")):
        return first
    return None


@pytest.mark.parametrize(
    "program", sorted({p for _, c in COMMANDS if (p := _local_program(c)) is not None})
)
def test_every_local_program_shown_exists(program: str) -> None:
    path = ROOT / program
    assert path.is_file(), f"{program} is shown in the docs but does not exist"
    assert os.access(path, os.X_OK) or path.suffix == ".py", f"{program} is not executable"


CONTRIBUTING_CHECKS = ["python3 scripts/lockfile.py check"]


@pytest.mark.parametrize("command", CONTRIBUTING_CHECKS)
def test_the_read_only_checks_contributing_shows_pass_as_written(command: str) -> None:
    assert ("CONTRIBUTING.md", command) in COMMANDS
    done = subprocess.run(
        command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_contributing_shows_the_newcomer_path() -> None:
    shown = {c for doc, c in COMMANDS if doc == "CONTRIBUTING.md"}
    assert {
        "./run_tests.sh",
        ".venv/bin/pre-commit install",
        ".venv/bin/pre-commit run --all-files",
        "./run_tests.sh tests/pipeline/passwords -x",
        ".venv/bin/python -m tests.run_all passwords",
        "python3 scripts/lockfile.py requirements",
    } <= shown


def test_run_all_answers_help_without_building_anything() -> None:
    done = subprocess.run(
        ["bash", "run_all.sh", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "passwords" in done.stderr and "hat" in done.stderr


def test_every_command_is_either_checked_or_named_as_not_runnable_here() -> None:
    unchecked = [
        (doc, c)
        for doc, c in COMMANDS
        if not MODULE.search(c)
        and _local_program(c) is None
        and not c.startswith(NOT_HERE)
        and not re.match(r"^(promtool|amtool|gunicorn|mlflow|python3?\.11|[A-Z_]+=)", c)
    ]
    assert not unchecked, unchecked


def test_the_team_server_commands_shown_are_the_ones_the_tests_run() -> None:
    """The MLflow server, DVC's S3 remote and the model download, as the end-to-end tests
    (tests/test_mlflow_server.py, tests/test_dvc.py) run them.
    """
    shown = [c for doc, c in COMMANDS if doc == "operations.md"]
    (server,) = [c for c in shown if c.startswith(".venv/bin/mlflow server ")]
    words, tested = shlex.split(server)[2:], mlflow_server_args(Path("mlflow.db"), 0)
    assert [w for w in words if w.startswith("--")] == [a for a in tested if a.startswith("--")]
    for flag in ("--artifacts-destination", "--host", "--workers"):
        assert words[words.index(flag) + 1] == tested[tested.index(flag) + 1], flag
    assert words[words.index("--backend-store-uri") + 1].startswith("sqlite:///")
    for command in s3_remote_commands(S3(endpoint="http://127.0.0.1:9000")):
        head = " ".join([".venv/bin/dvc", *command[:-1]])
        assert any(c.startswith(head + " ") for c in shown), head
    assert {".venv/bin/dvc push -r minio", ".venv/bin/dvc pull -r minio"} <= set(shown)
    download = " ".join([".venv/bin/mlflow", *DOWNLOAD])
    assert any(c.startswith(download) for c in shown), download
    for name, value in DOWNLOAD_ENV.items():
        assert any(f"{name}={value}" in c for c in shown), name
