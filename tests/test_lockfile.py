"""scripts/lockfile.py: Pipfile.lock matches the Pipfile as pipenv judges it, and the pip
requirement files say what the lock says (as ``pipenv requirements`` would)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import ROOT
from tests.tools import require_program

_spec = importlib.util.spec_from_file_location("lockfile", ROOT / "scripts" / "lockfile.py")
assert _spec is not None and _spec.loader is not None
lockfile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lockfile)

PIPENV = "python3.11 -m pip install pipenv"
FILES = ("Pipfile", "Pipfile.lock", "requirements.txt", "requirements-dev.txt")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The Pipfile, the lock, the requirement files and the script in a folder of their own."""
    for name in FILES:
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "lockfile.py", tmp_path / "scripts" / "lockfile.py")
    return tmp_path


def script(folder: Path, command: str) -> subprocess.CompletedProcess:
    """``python3 scripts/lockfile.py COMMAND`` as the docs show it, in ``folder``."""
    return subprocess.run(
        [sys.executable, "scripts/lockfile.py", command],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def pipenv(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIPENV_PIPFILE": str(folder / "Pipfile"), "PIPENV_VERBOSITY": "-1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [require_program("pipenv", PIPENV), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_the_committed_lock_and_requirements_match() -> None:
    problems = lockfile.stale(ROOT)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "edit",
    [
        "",  # the Pipfile as it is
        '\n[docs]\nSphinx_RTD-Theme = "*"\n',  # a custom category, a name that is not PEP 503
        '\n[scripts]\nserve = "gunicorn wsgi:app"\n',  # not a category: no change of hash
    ],
)
def test_the_pipfile_hash_is_the_one_pipenv_computes(project: Path, edit: str) -> None:
    """Our hash, written into the lock, is the one ``pipenv verify`` (pipenv's own code) wants."""
    pipfile = project / "Pipfile"
    pipfile.write_text(pipfile.read_text() + edit)
    lock = json.loads((project / "Pipfile.lock").read_text())
    lock["_meta"]["hash"]["sha256"] = lockfile.pipfile_hash(pipfile)
    (project / "Pipfile.lock").write_text(json.dumps(lock, indent=4) + "\n")
    done = pipenv(project, "verify")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_pipfile_edit_without_a_new_lock_is_caught_by_both(project: Path) -> None:
    pipfile = project / "Pipfile"
    pipfile.write_text(pipfile.read_text().replace('tqdm = "*"', 'tqdm = ">=4"'))
    checked = script(project, "check")
    assert checked.returncode == 1 and checked.stderr.count("\n") == 1
    assert "Pipfile.lock does not match the Pipfile" in checked.stderr
    assert "run `pipenv lock`" in checked.stderr
    assert pipenv(project, "verify").returncode == 1


def test_a_lock_change_without_new_requirements_names_the_command(project: Path) -> None:
    lock_path = project / "Pipfile.lock"
    lock = json.loads(lock_path.read_text())
    name = sorted(lock["develop"])[0]
    lock["develop"][name]["version"] = "==0.0.1"
    lock_path.write_text(json.dumps(lock, indent=4) + "\n")
    checked = script(project, "check")
    assert checked.returncode == 1
    assert checked.stderr == (
        "lockfile: requirements-dev.txt does not match Pipfile.lock: "
        "run `python3 scripts/lockfile.py requirements`\n"
    )
    runtime = (project / "requirements.txt").read_bytes()
    assert script(project, "requirements").returncode == 0
    assert script(project, "check").returncode == 0
    assert f"{name}==0.0.1 " in (project / "requirements-dev.txt").read_text()
    assert (project / "requirements.txt").read_bytes() == runtime
    assert not list(project.glob(".requirements*"))  # no temp file left behind


def parse(text: str) -> dict[str, tuple[str, str, frozenset[str]]]:
    """name -> (pin, markers, hashes) of a requirements file, in our layout or pipenv's."""
    out = {}
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        hashes = frozenset(re.findall(r"--hash=(\S+)", line))
        spec = re.sub(r"\s*--hash=\S+", "", line)
        requirement, _, markers = spec.partition(";")
        name, _, pin = requirement.strip().partition("==")
        out[name] = (pin, markers.strip(), hashes)
    return out


def test_the_requirements_say_what_pipenv_requirements_says() -> None:
    runtime = pipenv(ROOT, "requirements", "--hash")
    dev_only = pipenv(ROOT, "requirements", "--hash", "--dev-only")
    assert runtime.returncode == 0 and dev_only.returncode == 0, runtime.stderr + dev_only.stderr
    ours = parse((ROOT / "requirements.txt").read_text())
    assert ours == parse(runtime.stdout)
    ours_dev = {**ours, **parse((ROOT / "requirements-dev.txt").read_text())}
    assert ours_dev == {**parse(runtime.stdout), **parse(dev_only.stdout)}
    assert len(ours) > 50 and any(name.startswith("pytest") for name in ours_dev)


def test_the_dev_file_installs_the_runtime_one_with_every_hash() -> None:
    text = (ROOT / "requirements-dev.txt").read_text()
    assert "\n-r requirements.txt\n" in text
    for name, (pin, _, hashes) in parse(text).items():
        assert pin and hashes, name


def test_an_entry_pip_cannot_pin_is_an_error_naming_it() -> None:
    lock = {"_meta": {"sources": []}, "default": {"mylib": {"git": "https://x/y.git"}}}
    with pytest.raises(lockfile.LockError, match="mylib: a git entry"):
        lockfile.requirements(lock, "default")
