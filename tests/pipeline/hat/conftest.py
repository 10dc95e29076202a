from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Paths, load_params
from pipeline.hat.player import HatPlayer
from pipeline.registry import production_dir
from tests.samples import make_newsgroups_tar, write_word_lists

SMALL_PLAYER = {
    "min_count": 2,
    "w2v": {"vector_size": 16, "epochs": 3, "min_count": 2},
    "svd": {"dim": 12},
    "clue_min_count": 3,
    "clue_min_docs": 2,
    "guess_min_count": 3,
    "guess_min_docs": 2,
    "naive": {"vector_size": 16, "min_count": 2},
}


def small_hat_params(corpus: Path) -> dict:
    params = load_params()
    params["hat"]["corpus"] = str(corpus)
    params["hat"]["player"] = SMALL_PLAYER
    params["hat"]["baselines"]["ppmi_svd"].update({"dim": 12, "min_count": 2})
    return params


@pytest.fixture(scope="session")
def hat_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hat-sample")
    return make_newsgroups_tar(folder / "news.tar.gz"), write_word_lists(folder / "mirror")


@pytest.fixture(scope="session")
def hat_trained(tmp_path_factory: pytest.TempPathFactory, hat_sample) -> Paths:
    from pipeline.hat import train

    corpus, mirror = hat_sample
    base = tmp_path_factory.mktemp("hat-trained")
    paths = Paths(data=base / "data", models=base / "models", reports=base / "reports")
    mp = pytest.MonkeyPatch()
    mp.setenv("DATA_MIRROR", str(mirror))
    try:
        train.train(small_hat_params(corpus), paths)
    finally:
        mp.undo()
    return paths


@pytest.fixture(scope="session")
def player(hat_trained: Paths) -> HatPlayer:
    return HatPlayer.load(production_dir(hat_trained.models, "hat") / "player")
