"""The pre-commit hooks (``.pre-commit-config.yaml``): CI's lint and format check and the lock
checks, run offline by the project's own tools, in a git copy of the repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.config import ROOT

CONFIG = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
HOOKS = {hook["id"]: hook for repo in CONFIG["repos"] for hook in repo["hooks"]}
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}


@pytest.fixture
def git_copy(repo_copy: Path) -> Path:
    """The copy as a git repository with every file staged, as after ``git add``."""
    subprocess.run(["git", "init", "-q"], cwd=repo_copy, check=True)
    (repo_copy / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (repo_copy / ".git" / "info" / "exclude").write_text(".venv\n")  # the shared virtualenv
    subprocess.run(["git", "add", "-A"], cwd=repo_copy, check=True)
    return repo_copy


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess:
    """``.venv/bin/pre-commit run --all-files`` (CONTRIBUTING.md), with no way to download."""
    env = {**os.environ, **OFFLINE, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [".venv/bin/pre-commit", "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_every_hook_is_local_and_runs_a_tool_of_the_locked_environment() -> None:
    assert [repo["repo"] for repo in CONFIG["repos"]] == ["local"]
    assert set(HOOKS) == {"ruff-check", "ruff-format", "lockfile"}
    for hook in HOOKS.values():
        assert hook["language"] == "unsupported", hook["id"]  # nothing to install
        assert hook["entry"].startswith(".venv/bin/"), hook["id"]


def test_the_ruff_hooks_are_the_checks_run_tests_runs() -> None:
    script = (ROOT / "run_tests.sh").read_text()
    assert "\nruff check .\n" in script and "\nruff format --check .\n" in script
    assert HOOKS["ruff-check"]["entry"] == ".venv/bin/ruff check --force-exclude"
    assert HOOKS["ruff-format"]["entry"] == ".venv/bin/ruff format --force-exclude"


def test_pre_commit_passes_on_the_repository_offline(git_copy: Path, tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    done = pre_commit(git_copy, home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(f"{hook['name']}..." in done.stdout for hook in HOOKS.values())
    assert done.stdout.count("Passed") == len(HOOKS), done.stdout  # none skipped: no files
    assert not [p for p in home.iterdir() if p.is_dir()], "pre-commit installed a hook repo"


def test_pre_commit_stops_what_ci_would_fail(git_copy: Path, tmp_path: Path) -> None:
    bad = git_copy / "pipeline" / "scratch.py"
    bad.write_text('"""Scratch."""\n\nimport os\nx=1\n')
    pipfile = git_copy / "Pipfile"
    added = pipfile.read_text().replace("[dev-packages]\n", '[dev-packages]\nrich = "*"\n')
    pipfile.write_text(added)
    subprocess.run(["git", "add", "-A"], cwd=git_copy, check=True)
    done = pre_commit(git_copy, tmp_path / "pre-commit-home")
    assert done.returncode == 1
    assert done.stdout.count("Failed") == len(HOOKS), done.stdout
    assert "F401" in done.stdout and "pipeline/scratch.py" in done.stdout  # the unused import
    assert "files were modified by this hook" in done.stdout
    assert bad.read_text().endswith("x = 1\n")  # formatted, left for the next `git add`
    assert "Pipfile.lock does not match the Pipfile" in done.stdout
    assert "run `pipenv lock`" in done.stdout
