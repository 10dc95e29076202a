"""The one list of models: what it names, and that everything reading it finds what it needs."""

from __future__ import annotations

import re
import subprocess

import pytest

from pipeline import catalog
from pipeline.config import ROOT, load_params


def test_each_model_has_its_params_section_steps_and_serving_code() -> None:
    params = load_params()
    defined = set(re.findall(r"^  (\w+)\) cmd=", (ROOT / "scripts/step.sh").read_text(), re.M))
    for model in catalog.MODELS:
        assert "tolerance" in params[model.name]["promotion"]
        assert set(model.steps) <= defined
        for path in (model.loader, model.tracked_metrics, model.probe):
            assert callable(catalog.resolve(path)), path


def test_the_command_line_lists_models_and_steps_with_the_system_python() -> None:
    names = subprocess.run(
        ["python3", "-m", "pipeline.catalog"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert names == list(catalog.NAMES)
    for model in catalog.MODELS:
        steps = subprocess.run(
            ["python3", "-m", "pipeline.catalog", "steps", model.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert steps == list(model.steps)
    wrong = subprocess.run(
        ["python3", "-m", "pipeline.catalog", "steps", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert wrong.returncode == 2 and "unknown model 'nope'" in wrong.stderr


def test_an_unknown_model_is_named_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="the models are passwords, hat"):
        catalog.spec("nope")


def test_the_catalog_imports_nothing_but_the_standard_library() -> None:
    code = (
        "import sys, pipeline.catalog; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'yaml', 'pipeline')))"
    )
    loaded = subprocess.run(
        ["python3", "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "['pipeline', 'pipeline.catalog']"
