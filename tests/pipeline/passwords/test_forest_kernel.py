"""The compiled one-row forest kernel: same floats as the numpy path and scikit-learn, clear
errors, and the build commands of the image and of Heroku build both kernels (this one and the
features', tests/pipeline/passwords/features/test_compiled.py) from the files they copy.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingRegressor

from pipeline.config import ROOT
from pipeline.passwords.forest import FlatForest
from tests.tools import require_kernel

N_FEATURES = 6


@pytest.fixture(scope="module")
def forests() -> tuple[HistGradientBoostingRegressor, FlatForest]:
    """A small forest. Its training data has no NaN (a NaN-only split has an infinite threshold,
    which FlatForest refuses), and NaN rows still take each node's default side.
    """
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, N_FEATURES)).round(1)  # repeated values: ties at thresholds
    y = x[:, :3].sum(axis=1) + (x[:, 3] > 0.5) + rng.normal(scale=0.1, size=len(x))
    model = HistGradientBoostingRegressor(max_iter=40, max_leaf_nodes=31, random_state=0)
    model.fit(x, y)
    return model, FlatForest.from_sklearn(model)


@pytest.fixture(scope="module")
def kernel() -> None:
    require_kernel()


def thresholds_of(forest: FlatForest) -> list[float]:
    return sorted(set(forest.node_threshold.tolist()))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_kernel_equals_numpy_and_scikit_learn(forests, kernel, data) -> None:
    model, forest = forests
    value = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(thresholds_of(forest)),  # exactly at a threshold: goes left
        st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf]),
    )
    row = data.draw(st.lists(value, min_size=N_FEATURES, max_size=N_FEATURES))
    expected = model.predict(np.array([row]))[0]
    index = forest.index()
    assert index.predict_one(row) == expected
    assert index.predict_one_numpy(row) == expected


def test_kernel_takes_any_sequence_of_numbers(forests, kernel) -> None:
    model, forest = forests
    row = [0.5, -1, 2, 0, 1.5, -0.25]  # ints as well as floats, as features_one returns
    expected = model.predict(np.array([row], dtype=float))[0]
    assert forest.predict_one(row) == expected
    assert forest.predict_one(tuple(row)) == expected
    assert forest.predict_one(np.array(row, dtype=float)) == expected


def test_kernel_rejects_a_row_of_the_wrong_length_or_type(forests, kernel) -> None:
    _, forest = forests
    with pytest.raises(ValueError, match="takes 6 features, got 5"):
        forest.predict_one([0.0] * 5)
    with pytest.raises(TypeError):
        forest.predict_one([0.0] * 5 + ["1"])


def test_kernel_of_a_forest_without_trees_gives_the_baseline(kernel) -> None:
    empty = FlatForest(
        node_tree=np.array([], dtype=np.int32),
        node_feature=np.array([], dtype=np.int32),
        node_threshold=np.array([], dtype=np.float64),
        node_nan_left=np.array([], dtype=bool),
        node_mask=np.array([], dtype=np.uint64),
        leaf_value=np.array([], dtype=np.float64),
        leaf_start=np.array([], dtype=np.intp),
        baseline=0.75,
        n_features=3,
    )
    assert empty.predict_one([1.0, math.nan, 2.0]) == 0.75
    assert empty.index().predict_one_numpy([1.0, math.nan, 2.0]) == 0.75


KERNELS = ("forest_kernel", "features_kernel")
SOURCES = [f"pipeline/passwords/{name}.pyx" for name in KERNELS]
# what the features kernel includes (Cython ``include``): built from the same copied files
INCLUDES = sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "pipeline" / "passwords").glob("*_kernel_*.pxi")
)


def built_modules(folder: Path) -> list[Path]:
    """Each kernel's built module in ``folder``, in :data:`KERNELS` order."""
    found = []
    for name in KERNELS:
        (module,) = (folder / "pipeline" / "passwords").glob(f"{name}.*.so")
        found.append(module)
    return found


LOAD_AND_RUN = """
import importlib.util, sys, types
import numpy as np
def load(name, path):
    spec = importlib.util.spec_from_file_location(f"pipeline.passwords.{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
forest = load("forest_kernel", sys.argv[1])
none = np.zeros(0, dtype=np.intp)
table = np.zeros((0, 0), dtype=np.uint64)
empty = dict(thresholds=np.zeros(0), table=table, leaf_value=np.zeros(0), baseline=0.5)
empty |= dict.fromkeys(("first_row", "n_thresholds", "nan_row", "leaf_before"), none)
print(forest.OneRow(types.SimpleNamespace(**empty)).predict([]))
print(load("features_kernel", sys.argv[2]).hash64(b"abc"))
"""


def check_loads(modules: list[Path]) -> None:
    """The built files import and compute (in a fresh interpreter, not this one's modules)."""
    out = subprocess.run(
        [sys.executable, "-c", LOAD_AND_RUN, *map(str, modules)],
        capture_output=True,
        text=True,
        check=True,
    )
    digest = hashlib.blake2b(b"abc", digest_size=8).digest()
    assert out.stdout.split() == ["0.5", str(int.from_bytes(digest, "little", signed=True))]


def env_with_python() -> dict[str, str]:
    """PATH with this interpreter's bin first: ``python`` there has Cython, as in the image."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}


def kernel_stage() -> tuple[str, list[tuple[str, str]], list[str]]:
    """The Dockerfile's kernel stage: its WORKDIR, COPY (source, destination) and RUN lines."""
    text = (ROOT / "Dockerfile").read_text()
    stage = text.split(" AS kernel\n", 1)[1].split("\nFROM ", 1)[0]
    (workdir,) = re.findall(r"^WORKDIR (\S+)$", stage, flags=re.MULTILINE)
    copies = re.findall(r"^COPY (\S+) (\S+)$", stage, flags=re.MULTILINE)
    runs = re.findall(r"^RUN (.+)$", stage, flags=re.MULTILINE)
    return workdir, copies, runs


def locked_version(package: str) -> str:
    lock = json.loads((ROOT / "Pipfile.lock").read_text())
    return lock["default"][package]["version"].removeprefix("==")


def test_image_builds_the_kernel_with_the_locked_cython() -> None:
    _, _, runs = kernel_stage()
    pins = [m for run in runs for m in re.findall(r"\bcython==(\S+)", run)]
    assert pins == [locked_version("cython")]


@pytest.mark.slow
def test_image_kernel_stage_builds_a_module_the_final_stage_copies(tmp_path: Path) -> None:
    """The stage's commands outside Docker, on only the files it copies; ``pip install`` is the
    pin checked above (this environment has that Cython).
    """
    workdir, copies, runs = kernel_stage()
    for source, destination in copies:
        target = tmp_path / destination / Path(source).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / source, target)
    for run in runs:
        if not run.startswith("pip install"):
            subprocess.run(run, shell=True, cwd=tmp_path, env=env_with_python(), check=True)
    assert sorted(source for source, _ in copies if source.endswith(".pyx")) == sorted(SOURCES)
    assert sorted(source for source, _ in copies if source.endswith(".pxi")) == INCLUDES
    modules = built_modules(tmp_path)
    (source,) = re.findall(r"^COPY --from=kernel (\S+) ", (ROOT / "Dockerfile").read_text(), re.M)
    assert all(m.match(str(Path(source).relative_to(workdir))) for m in modules)
    check_loads(modules)


@pytest.mark.slow
def test_heroku_hook_builds_the_kernel(tmp_path: Path) -> None:
    for name in ("bin/post_compile", "scripts/build_kernel.py", *SOURCES, *INCLUDES):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    subprocess.run(["bin/post_compile"], cwd=tmp_path, env=env_with_python(), check=True)
    check_loads(built_modules(tmp_path))
