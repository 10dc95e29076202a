"""Behaviour of a model trained on the synthetic sample (see tests/samples.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline import registry
from pipeline.config import Paths
from pipeline.passwords import features
from pipeline.passwords.model import PasswordModel
from pipeline.passwords.train import train

RANDOM_16 = ["q8#Lm2!vZr9@Tx4k", "Xk9#mQ2$vL7@pR4!", "7hG!t2Qw#9ZbLp0e"]


@pytest.fixture(scope="module")
def model(trained: Paths) -> PasswordModel:
    return PasswordModel.load(registry.production_dir(trained.models, "passwords"))


def test_common_beats_less_common_beats_random(model: PasswordModel) -> None:
    top, password1 = model.predict("123456"), model.predict("password1")
    randoms = model.predict(RANDOM_16)
    assert top > 10 * password1
    assert password1 > 10 * randoms.max()


def test_random_strings_fall_below_the_rarest_listed_password(
    model: PasswordModel, sample_rows
) -> None:
    rarest = min(count for _, count in sample_rows) * 1e6 / 32_603_388
    assert model.predict(RANDOM_16).max() < rarest


def test_known_passwords_get_their_listed_frequency(model: PasswordModel, trained: Paths) -> None:
    import pandas as pd

    frame = pd.read_csv(
        trained.processed / "passwords" / "dataset.csv.gz", keep_default_na=False, na_filter=False
    )
    known = frame[frame["split"] != "test"].head(50)
    np.testing.assert_allclose(model.predict(known["password"].tolist()), known["frequency"])


def test_predict_single_and_batch_agree_and_keep_order(model: PasswordModel) -> None:
    batch = ["monkey", "", "a b c", "zzzz", "Ünïcode🙂", "\udc80lone surrogate"]
    many = model.predict(batch)
    assert isinstance(model.predict("monkey"), float)
    assert many.shape == (6,) and np.all(many >= 0) and np.all(np.isfinite(many))
    assert [model.predict(p) for p in batch] == pytest.approx(list(many))
    assert model.predict([]).shape == (0,)


def test_save_load_round_trip(model: PasswordModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    again = PasswordModel.load(tmp_path)
    probe = ["123456", "password1", *RANDOM_16, "never seen before 42"]
    np.testing.assert_array_equal(again.predict(probe), model.predict(probe))
    assert [p.name for p in tmp_path.iterdir()] == ["model.joblib"]  # no temp file left


def test_artifact_holds_no_plaintext_password(trained: Paths) -> None:
    blob = (registry.production_dir(trained.models, "passwords") / "model.joblib").read_bytes()
    import zlib

    raw = zlib.decompress(blob) if blob[:1] == b"\x78" else blob
    for password in ("butterfly123", "password1", "princess"):
        assert password.encode() not in raw


def test_features_leave_a_known_row_out_exactly() -> None:
    # A known password's neighbour features must equal those of the same string when unknown.
    known_pw = ["monkey", "monkey1", "monkey12", "dragon"]
    freqs = [10.0, 5.0, 2.0, 8.0]
    full = features.KnownList.build(known_pw, freqs)
    without = features.KnownList.build(known_pw[1:], freqs[1:])
    markovs = features.fit_markovs(known_pw, features.to_units(np.array(freqs)).tolist())
    inside = features.build_features(["monkey"], full, markovs, features.to_units(np.array([10.0])))
    outside = features.build_features(["monkey"], without, markovs)
    np.testing.assert_array_equal(inside, outside)


def test_training_twice_gives_identical_metrics_and_predictions(
    trained: Paths, small_params, tmp_path: Path
) -> None:
    again = Paths(data=trained.data, models=tmp_path / "models", reports=tmp_path / "reports")
    second = train(small_params, again)
    first = json.loads((trained.reports / "passwords" / "metrics.json").read_text())
    assert second["test"] == first["test"] and second["censoring"] == first["censoring"]
    a = PasswordModel.load(registry.production_dir(trained.models, "passwords"))
    b = PasswordModel.load(registry.production_dir(again.models, "passwords"))
    probe = ["123456", "x", "hunter2", *RANDOM_16]
    np.testing.assert_array_equal(a.predict(probe), b.predict(probe))


def test_metadata_records_what_the_model_was_made_from(trained: Paths) -> None:
    meta = registry.read_metadata(registry.production_dir(trained.models, "passwords"))
    assert meta["data"]["data"]["sha256"] and meta["data"]["rows"] == 3000
    assert meta["params"]["model"]["seed"] and meta["libraries"]["scikit-learn"]
    assert meta["metrics"]["measured_on"]["split"] == "test"
    assert set(meta["metrics"]["test"]) == {
        "model",
        "constant (RMSLE-optimal)",
        "length only",
        "zxcvbn",
    }
    assert meta["promotion"]["promote"] is True


def test_flat_forest_predicts_exactly_like_scikit_learn(model: PasswordModel) -> None:
    from pipeline.passwords.forest import FlatForest

    probes = [*RANDOM_16, "monkey", "", "Dragon2009", "a" * 40, "pass word", "zzzz1111"]
    x = features.build_features(probes, model.known, model.markovs)
    x[0, 3] = np.nan  # a missing value follows the learned default direction too
    flat = FlatForest.from_sklearn(model.regressor)
    np.testing.assert_allclose(flat.predict(x), model.regressor.predict(x), rtol=0, atol=1e-12)
