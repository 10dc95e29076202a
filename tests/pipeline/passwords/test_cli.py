from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import ROOT, Paths
from pipeline.passwords.model import PasswordModel
from pipeline.registry import store


def run_cli(*args: str, stdin: bytes = b"", env_models: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.passwords", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_predict_reads_lines_verbatim_and_writes_one_number_each(trained: Paths) -> None:
    stdin = b"123456\n with spaces \n\npassword1\nq8#Lm2!vZr9@Tx4k"
    result = run_cli("predict", "--models-dir", str(trained.models), stdin=stdin)
    assert result.returncode == 0, result.stderr
    values = [float(v) for v in result.stdout.decode().splitlines()]
    model = PasswordModel.load(store.production_dir(trained.models, "passwords"))
    expected = model.predict(["123456", " with spaces ", "", "password1", "q8#Lm2!vZr9@Tx4k"])
    assert values == pytest.approx(list(expected), rel=1e-5)


def test_predict_on_empty_input_prints_nothing(trained: Paths) -> None:
    result = run_cli("predict", "--models-dir", str(trained.models))
    assert result.returncode == 0 and result.stdout == b""


def test_predict_rejects_invalid_utf8_without_echoing_it(trained: Paths) -> None:
    result = run_cli("predict", "--models-dir", str(trained.models), stdin=b"ok\nsecr\xffet\n")
    assert result.returncode == 2
    assert b"line 2 of the input is not valid UTF-8" in result.stderr
    assert b"secr" not in result.stderr and b"Traceback" not in result.stderr


def test_predict_without_a_model_says_how_to_get_one(tmp_path: Path) -> None:
    result = run_cli("predict", "--models-dir", str(tmp_path), stdin=b"abc\n")
    assert result.returncode == 1
    assert b"./run_all.sh passwords" in result.stderr and b"Traceback" not in result.stderr
