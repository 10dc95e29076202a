"""Behaviour of a model trained on the synthetic sample (see tests/samples.py)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import Paths
from pipeline.passwords import features
from pipeline.passwords.forest import FlatForest
from pipeline.passwords.model import ARTIFACT, LEGACY_ARTIFACT, PasswordModel
from pipeline.passwords.train import train
from pipeline.registry import store
from tests.tools import require_kernel

RANDOM_16 = ["q8#Lm2!vZr9@Tx4k", "Xk9#mQ2$vL7@pR4!", "7hG!t2Qw#9ZbLp0e"]


@pytest.fixture(scope="module")
def model(trained: Paths) -> PasswordModel:
    return PasswordModel.load(store.production_dir(trained.models, "passwords"))


def test_common_beats_less_common_beats_random(model: PasswordModel) -> None:
    top, password1 = model.predict("123456"), model.predict("password1")
    randoms = model.predict(RANDOM_16)
    assert top > 10 * password1
    assert password1 > 10 * randoms.max()


def test_guesses_follow_the_list_rank_and_go_past_it_for_random_strings(
    model: PasswordModel, sample_rows
) -> None:
    # sample_rows are the list, most frequent first: their rank is their place in it
    rank = {p: i + 1 for i, (p, _) in enumerate(sample_rows)}
    assert model.guesses(model.predict("123456")) == rank["123456"] == 1
    some = [p for p, _ in sample_rows[:50]]
    for p in some:
        assert 0.5 <= model.guesses(model.predict(p)) / rank[p] <= 2.0
    assert min(model.guesses(f) for f in model.predict(RANDOM_16)) > len(sample_rows)


def test_the_training_report_checks_guesses_against_real_rankings(trained: Paths) -> None:
    report = json.loads((trained.reports / "passwords" / "metrics.json").read_text())
    checks = report["guesses"]
    assert checks["listed_within_factor_2"] >= 0.9 and checks["list_rows"] == 3000
    (leak,) = checks["leaks"].values()
    assert leak["spearman_minus_guesses"] == pytest.approx(leak["spearman_frequency"], abs=1e-9)


def test_feedback_names_what_the_model_knows_and_never_quotes_it(model: PasswordModel) -> None:
    listed = model.advise("123456", model.predict("123456"), "very weak")
    assert listed.warning == "This is a top-10 common password." and listed.suggestions
    edited = model.advise("Princess1", model.predict("Princess1"), "weak")
    assert edited.warning == "This is a common password with capital letters."
    assert model.advise(RANDOM_16[0], model.predict(RANDOM_16[0]), "strong").warning is None


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


def test_the_production_model_answers_test_split_passwords_exactly(
    model: PasswordModel, trained: Paths
) -> None:
    """The fit never saw the test split; the served artifact still knows every listed password."""
    import pandas as pd

    frame = pd.read_csv(
        trained.processed / "passwords" / "dataset.csv.gz", keep_default_na=False, na_filter=False
    )
    test = frame[frame["split"] == "test"]
    assert len(test) > 100
    assert model.predict(test["password"].tolist()).tolist() == test["frequency"].tolist()
    assert [model.predict(p) for p in test["password"].head(20)] == test["frequency"].head(
        20
    ).tolist()
    # the estimate of the same strings is not their listed frequency: it never saw them
    assert not np.allclose(model.estimate(test["password"].tolist()), test["frequency"])


def test_absent_strings_never_exceed_the_rarest_listed_frequency(model: PasswordModel) -> None:
    assert model.tail is not None
    probes = [*RANDOM_16, "monkey1234567", "Dragonfly!", "zzzzzzzz", "", "a b c", "qwertyuiop1"]
    served = model.predict(probes)
    assert np.all(served <= model.tail.rarest)
    tail = model.tail
    levels = {tail.rarest, tail.middle * tail.rarest, tail.low * tail.rarest}
    assert set(served.tolist()) <= levels  # a few levels, not a spread of noise
    assert model.predict(RANDOM_16).tolist() == [tail.low * tail.rarest] * 3  # random: the lowest


def test_predict_single_and_batch_agree_and_keep_order(model: PasswordModel) -> None:
    batch = ["monkey", "", "a b c", "zzzz", "Ünïcode🙂", "\udc80lone surrogate"]
    many = model.predict(batch)
    assert isinstance(model.predict("monkey"), float)
    assert many.shape == (6,) and np.all(many >= 0) and np.all(np.isfinite(many))
    assert [model.predict(p) for p in batch] == list(many)  # the one-row path: same floats
    assert [model.predict([p])[0] for p in batch] == list(many)  # a batch of one: that path too
    assert model.predict([]).shape == (0,)


def test_save_load_round_trip(model: PasswordModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    again = PasswordModel.load(tmp_path)
    probe = ["123456", "password1", *RANDOM_16, "never seen before 42"]
    np.testing.assert_array_equal(again.predict(probe), model.predict(probe))
    assert [p.name for p in tmp_path.iterdir()] == [ARTIFACT]  # no temp file left


def test_artifact_holds_no_plaintext_password_and_no_scikit_learn(trained: Paths) -> None:
    import gzip

    blob = (store.production_dir(trained.models, "passwords") / ARTIFACT).read_bytes()
    raw = gzip.decompress(blob)
    for password in ("butterfly123", "password1", "princess"):
        assert password.encode() not in raw
    assert b"sklearn" not in raw and b"zxcvbn" not in raw


def test_an_artifact_of_the_older_format_asks_for_a_retrain(tmp_path: Path) -> None:
    (tmp_path / LEGACY_ARTIFACT).write_bytes(b"not read")
    with pytest.raises(TypeError, match="retrain"):
        PasswordModel.load(tmp_path)


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
    a = PasswordModel.load(store.production_dir(trained.models, "passwords"))
    b = PasswordModel.load(store.production_dir(again.models, "passwords"))
    probe = ["123456", "x", "hunter2", *RANDOM_16]
    np.testing.assert_array_equal(a.predict(probe), b.predict(probe))


def test_metadata_records_what_the_model_was_made_from(trained: Paths) -> None:
    meta = store.read_metadata(store.production_dir(trained.models, "passwords"))
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


@pytest.fixture(scope="module")
def fitted(sample_rows) -> PasswordModel:
    """A model fit in this process, so it still holds its scikit-learn regressor (never saved)."""
    rows = sample_rows[:2000]
    freqs = [count * 1e6 / 32_603_388 for _, count in rows]
    params = {
        "seed": 1,
        "markov_folds": 3,
        "absent_weight": 1.0,
        "gbm": {
            "learning_rate": 0.1,
            "max_iter": 80,
            "max_leaf_nodes": 63,
            "min_samples_leaf": 5,
            "l2_regularization": 0.0,
            "n_iter_no_change": 10,
        },
    }
    passwords = [p for p, _ in rows]
    return PasswordModel(params).fit(
        passwords[:1600], freqs[:1600], passwords[1600:], freqs[1600:], RANDOM_16 * 3, 0.01
    )


def probe_strings() -> list[str]:
    rng = np.random.default_rng(0)
    alphabet = list("abcdefgxyzABCXYZ0123456789!@#$ é7")
    randoms = ["".join(rng.choice(alphabet, size=rng.integers(0, 18))) for _ in range(300)]
    edge = ["", "a", "monkey", "Dragon2009", "a" * 40, "pass word", "zzzz1111", "Ünïcode🙂"]
    return [*RANDOM_16, *edge, "\udc80lone surrogate", "١٢٣abc", "monkey12\n", *randoms]


@pytest.fixture(params=["compiled", "numpy"])
def one_row(request) -> Callable[[FlatForest, list[float]], float]:
    """Each one-row prediction path: the compiled kernel (required under CI) and numpy."""
    if request.param == "compiled":
        require_kernel()
        return lambda forest, row: forest.predict_one(row)
    return lambda forest, row: forest.index().predict_one_numpy(row)


def test_flat_forest_predicts_exactly_like_scikit_learn(fitted: PasswordModel, one_row) -> None:
    assert fitted.forest is not None and fitted.regressor is not None and fitted.known is not None
    x = features.build_features(
        probe_strings(), fitted.known, fitted.markovs, dictionaries=fitted.dictionaries
    )
    x[0, 3] = np.nan  # a missing value follows the learned default direction too
    x[1, :] = np.nan
    x[2, :5] = np.inf
    x[3, :5] = -np.inf
    expected = fitted.regressor.predict(x)
    # Same floats: leaf values are added in scikit-learn's order.
    np.testing.assert_array_equal(fitted.forest.predict(x), expected)
    np.testing.assert_array_equal([fitted.forest.predict(row) for row in x], expected)
    np.testing.assert_array_equal([one_row(fitted.forest, row.tolist()) for row in x], expected)
    assert fitted.forest.predict(x[:0]).shape == (0,)


def test_flat_forest_splits_values_at_a_threshold_like_scikit_learn(
    fitted: PasswordModel, one_row
) -> None:
    """A value equal to a threshold goes left (``x <= threshold``); just above it goes right."""
    assert fitted.forest is not None and fitted.regressor is not None and fitted.known is not None
    base = features.build_features(
        probe_strings()[:3], fitted.known, fitted.markovs, dictionaries=fitted.dictionaries
    )
    forest = fitted.forest
    picked = np.random.default_rng(0).permutation(len(forest.node_feature))[:200]
    rows = []
    for i in picked:
        feature, threshold = forest.node_feature[i], forest.node_threshold[i]
        for value in (np.nextafter(threshold, -np.inf), threshold, np.nextafter(threshold, np.inf)):
            row = base[len(rows) % len(base)].copy()
            row[feature] = value
            rows.append(row)
    x = np.array(rows)
    expected = fitted.regressor.predict(x)
    np.testing.assert_array_equal(forest.predict(x), expected)
    np.testing.assert_array_equal([one_row(forest, row.tolist()) for row in x], expected)


def test_flat_forest_takes_a_tree_that_is_a_single_leaf(fitted: PasswordModel, one_row) -> None:
    assert fitted.regressor is not None
    stump = np.zeros(1, dtype=fitted.regressor._predictors[0][0].nodes.dtype)
    stump["is_leaf"], stump["value"] = 1, 0.25
    fitted.regressor._predictors[0][0].nodes, original = (
        stump,
        fitted.regressor._predictors[0][0].nodes,
    )
    try:
        x = np.zeros((3, fitted.regressor.n_features_in_))
        flat = FlatForest.from_sklearn(fitted.regressor)
        np.testing.assert_array_equal(flat.predict(x), fitted.regressor.predict(x))
        assert [one_row(flat, row.tolist()) for row in x] == fitted.regressor.predict(x).tolist()
    finally:
        fitted.regressor._predictors[0][0].nodes = original


def test_one_row_features_equal_the_batch_path(model: PasswordModel) -> None:
    assert model.known is not None and model.dictionaries is not None
    probes = probe_strings()
    batch = features.build_features(
        probes, model.known, model.markovs, dictionaries=model.dictionaries
    )
    tables = model.serving_tables()
    one = [features.features_one(p, tables) for p in probes]
    np.testing.assert_array_equal(np.vstack(one), batch)


def test_saved_dictionaries_give_zxcvbn_ranks(model: PasswordModel) -> None:
    from zxcvbn import matching

    assert model.dictionaries is not None
    for word in ("password", "monkey", "jennifer", "smith", "zzqxv"):
        expected = [
            math.log10(r) if (r := matching.RANKED_DICTIONARIES[name].get(word)) else -1.0
            for name in features.DICTIONARIES
        ]
        assert features.dictionary_features(word, model.dictionaries)[:6] == expected
