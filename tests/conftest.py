from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Paths, deep_merge, load_params
from pipeline.hat.player import HatPlayer
from pipeline.passwords.prepare import prepare
from pipeline.passwords.train import train
from pipeline.registry.store import production_dir
from tests.samples import (
    make_counts,
    make_leak,
    make_newsgroups_tar,
    write_counts,
    write_word_lists,
)

MIRROR_FILE = "rockyou-top100k-withcount.txt.gz"


@pytest.fixture(scope="session", autouse=True)
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Every pipeline run the tests make logs to one throwaway MLflow store, never to the
    developer's mlruns/ (and its database is created once, not once per run).
    """
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        yield uri


@pytest.fixture(scope="session")
def sample_rows() -> list[tuple[str, int]]:
    return make_counts(3000, seed=0)


@pytest.fixture(scope="session")
def sample_mirror(tmp_path_factory: pytest.TempPathFactory, sample_rows) -> Path:
    """A DATA_MIRROR folder holding a small stand-in for the RockYou head (not its checksum)."""
    mirror = tmp_path_factory.mktemp("mirror")
    write_counts(mirror / MIRROR_FILE, sample_rows)
    return mirror


@pytest.fixture(scope="session")
def sample_leak(tmp_path_factory: pytest.TempPathFactory, sample_rows) -> Path:
    """Another site's small list, for the external validation (never trained on)."""
    return write_counts(
        tmp_path_factory.mktemp("leak") / "otherleak.txt", make_leak(sample_rows), gz=False
    )


@pytest.fixture(scope="session")
def small_params(sample_leak: Path) -> dict:
    params = load_params()
    params["passwords"]["model"]["gbm"]["max_iter"] = 300
    params["passwords"]["external"]["sources"] = [str(sample_leak)]
    return params


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, sample_rows, small_params) -> Paths:
    """A models folder with a production password model trained on the synthetic sample."""
    base = tmp_path_factory.mktemp("trained")
    paths = Paths(data=base / "data", models=base / "models", reports=base / "reports")
    raw = paths.raw
    raw.mkdir(parents=True)
    write_counts(raw / "sample.txt", sample_rows, gz=False)
    prepare(small_params, paths, str(raw / "sample.txt"))
    train(small_params, paths)
    return paths


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The tracked files of the repository in a temporary folder, sharing the built virtualenv."""
    from tests.run_all import copy_repository  # run_all imports this module

    return copy_repository(tmp_path / "repo")


SMALL_PLAYER = {
    "min_count": 2,
    "w2v": {"vector_size": 16, "epochs": 3, "min_count": 2},
    "svd": {"dim": 12},
    "clue_min_count": 3,
    "clue_min_docs": 2,
    "guess_min_count": 3,
    "guess_min_docs": 2,
    "naive": {"vector_size": 16, "min_count": 2},
    "demo": {"params": {"model": "skipgram", "dim": 8, "epoch": 2, "bucket": 20000, "thread": 1}},
}
FT_SMALL = {"dim": 8, "epoch": 2, "bucket": 20000, "thread": 1}
W2V_SMALL = {"vector_size": 16, "min_count": 2, "workers": 1}
# one bot per family, each small: the stage plays the whole zoo on the sample corpus
SMALL_ZOO = {
    "ft_sg": {"family": "fasttext", "seed": 1, "params": {"model": "skipgram", **FT_SMALL}},
    "ppmi": {
        "family": "ppmi",
        "seed": 2,
        "params": {"min_count": 2, "window": 3, "dim": 12, "power": 1.0, "cds_alpha": 1.0},
    },
    "w2v_raw": {"family": "word2vec", "seed": 3, "params": {"prep": "raw", "w2v": W2V_SMALL}},
    "w2v_stem": {
        "family": "word2vec",
        "seed": 4,
        "params": {"prep": "stemmed", "w2v": {**W2V_SMALL, "sg": 0}},
    },
    "lsa": {"family": "lsa", "seed": 5, "params": {"min_df": 2, "max_df": 0.9, "dim": 12}},
}
# words of the sample corpus in none of its host lists (tests/samples.py)
SAMPLE_HELDOUT = ["orbit", "disk", "season", "prayer", "credit", "planet", "keyboard", "coach"]


def small_hat_params(corpus: Path, params: dict | None = None) -> dict:
    """``params`` (default: the repository's params.yaml) with the Hat stage on a small corpus;
    the small player is merged into params.yaml's, which holds every key the stage requires."""
    params = load_params() if params is None else params
    params["hat"]["corpus"] = str(corpus)
    params["hat"]["player"] = deep_merge(params["hat"]["player"] or {}, SMALL_PLAYER)
    params["hat"]["zoo"]["recipes"] = SMALL_ZOO
    heldout = corpus.parent / "heldout_nouns.txt"
    heldout.write_text("\n".join(SAMPLE_HELDOUT) + "\n", encoding="utf-8")
    params["hat"]["heldout_list"] = str(heldout)
    return params


@pytest.fixture(scope="session")
def hat_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hat-sample")
    return make_newsgroups_tar(folder / "news.tar.gz"), write_word_lists(folder / "mirror")


@pytest.fixture(scope="session")
def hat_trained(tmp_path_factory: pytest.TempPathFactory, hat_sample) -> Paths:
    from pipeline.hat import stage

    corpus, mirror = hat_sample
    base = tmp_path_factory.mktemp("hat-trained")
    paths = Paths(data=base / "data", models=base / "models", reports=base / "reports")
    mp = pytest.MonkeyPatch()
    mp.setenv("DATA_MIRROR", str(mirror))
    try:
        stage.train(small_hat_params(corpus), paths)
    finally:
        mp.undo()
    return paths


@pytest.fixture(scope="session")
def player(hat_trained: Paths) -> HatPlayer:
    return HatPlayer.load(production_dir(hat_trained.models, "hat") / "player")
