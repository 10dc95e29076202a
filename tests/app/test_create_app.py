"""What building the app says about what it serves with."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app import create_app
from pipeline.passwords import forest
from pipeline.passwords.features import compiled
from tests.tools import require_feature_kernel, require_kernel

KERNEL_WARNING = "kernel is not built (python scripts/build_kernel.py)"


@pytest.mark.parametrize(
    ("module", "slower", "named"),
    [(forest, "numpy", "forest"), (compiled, "python", "features")],
)
def test_a_missing_kernel_is_logged_with_the_fix(
    models_dir: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    module,
    slower: str,
    named: str,
) -> None:
    monkeypatch.setattr(module, "KERNEL", slower)
    with caplog.at_level(logging.WARNING):
        create_app({"models_dir": models_dir})
    (warning,) = [r.getMessage() for r in caplog.records if KERNEL_WARNING in r.getMessage()]
    assert named in warning.split(" kernel ")[0]


def test_built_kernels_are_not_warned_about(
    models_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    require_kernel()
    require_feature_kernel()
    with caplog.at_level(logging.WARNING):
        create_app({"models_dir": models_dir})
    assert not any(KERNEL_WARNING in r.getMessage() for r in caplog.records)


def test_flask_keys_sit_beside_the_project_settings(models_dir: Path) -> None:
    app = create_app({"TESTING": True, "models_dir": models_dir, "max_batch": 3})
    assert app.testing is True
    assert app.config["SETTINGS"].models_dir == models_dir
    assert app.config["SETTINGS"].max_batch == 3


def test_an_unknown_setting_is_named(models_dir: Path) -> None:
    with pytest.raises(TypeError, match=r"unknown settings \['port'\]"):
        create_app({"models_dir": models_dir, "port": 5000})


def test_models_dir_is_parsed_where_the_pipeline_parses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.settings import Settings
    from pipeline.config import Paths

    monkeypatch.setenv("MODELS_DIR", f"  {tmp_path}/models  ")
    assert Settings.from_env().models_dir == Paths.from_env().models == tmp_path / "models"
