"""What building the app says about what it serves with."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app import create_app
from pipeline.passwords import forest
from tests.tools import require_kernel

KERNEL_WARNING = "kernel is not built (python scripts/build_kernel.py)"


def test_a_missing_forest_kernel_is_logged_with_the_fix(
    models_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forest, "KERNEL", "numpy")
    with caplog.at_level(logging.WARNING):
        create_app({"models_dir": models_dir})
    assert any(KERNEL_WARNING in r.getMessage() for r in caplog.records)


def test_a_built_forest_kernel_is_not_warned_about(
    models_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    require_kernel()
    with caplog.at_level(logging.WARNING):
        create_app({"models_dir": models_dir})
    assert not any(KERNEL_WARNING in r.getMessage() for r in caplog.records)
