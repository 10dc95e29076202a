"""HatPlayer's contract, on a player trained from the small sample corpus (see conftest)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import Paths
from pipeline.hat.player import HatPlayer
from pipeline.hat.rules import clean_explanation, stem
from pipeline.registry import production_dir, read_metadata

WORDS = ["money", "rocket", "software", "team", "church", "bank", "orbit", "pay"]
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("word", WORDS)
def test_explain_gives_n_distinct_clues_that_survive_host_cleaning(player: HatPlayer, word):
    clues = player.explain(word, 5)
    assert len(clues) == 5 and len(set(clues)) == 5
    assert all(c.isascii() and c.isalpha() and c.islower() for c in clues)
    assert clean_explanation(word, clues, 5, "soft") == clues
    known = set(player.words)
    assert clean_explanation(word, clues, 5, "hard", word_exists=known.__contains__) == clues
    assert all(stem(c) != stem(word) for c in clues)


@pytest.mark.parametrize("word", WORDS)
def test_guess_gives_n_new_distinct_words_without_shared_stems(player: HatPlayer, word):
    clues = player.explain(word, 5)
    for k in range(1, 6):
        guesses = player.guess(clues[:k], 5)
        assert len(guesses) == 5 and len(set(guesses)) == 5
        assert not set(guesses) & set(clues[:k])
        assert not {stem(g) for g in guesses} & {stem(c) for c in clues[:k]}


def test_guess_uses_every_clue(player: HatPlayer):
    assert player.guess(["orbit", "launch"], 5) != player.guess(["orbit", "launch", "bank"], 5)


def test_topical_clues_lead_to_the_topic(player: HatPlayer):
    assert set(player.guess(["orbit", "launch", "shuttle", "nasa"], 5)) & {
        "rocket",
        "moon",
        "mars",
        "planet",
        "satellite",
        "earth",
        "solar",
        "star",
    }


@pytest.mark.parametrize("odd", ["Ünïcode", "qwzxqwzx", "MONEY", "", "  ", "42", "real estate"])
def test_odd_input_gives_a_list_never_an_exception(player: HatPlayer, odd: str):
    assert isinstance(player.explain(odd, 5), list)
    assert isinstance(player.guess([odd], 5), list)
    assert isinstance(player.guess([odd, "money"], 5), list)
    assert player.guess([], 5) == [] or isinstance(player.guess([], 5), list)


def test_case_does_not_matter(player: HatPlayer):
    assert player.explain("MONEY", 5) == player.explain("money", 5)


def test_save_load_round_trip(player: HatPlayer, tmp_path: Path):
    player.save(tmp_path / "p")
    again = HatPlayer.load(tmp_path / "p")
    assert again.explain("money", 5) == player.explain("money", 5)
    assert again.guess(["cash", "bank"], 5) == player.guess(["cash", "bank"], 5)


def test_reproducible_mode_gives_identical_vectors(hat_sample):
    from pipeline.hat.corpus import load_corpus
    from pipeline.hat.embeddings import train_word2vec

    corpus = load_corpus(hat_sample[0])
    params = {"vector_size": 16, "epochs": 2, "min_count": 2}
    words_a, vec_a = train_word2vec(corpus.sentences, params, reproducible=True)
    words_b, vec_b = train_word2vec(corpus.sentences, params, reproducible=True)
    assert words_a == words_b
    np.testing.assert_array_equal(vec_a, vec_b)


def test_metadata_and_tables_are_saved(hat_trained: Paths):
    meta = read_metadata(production_dir(hat_trained.models, "hat"))
    tables = meta["metrics"]["tables"]
    assert set(tables) == {
        "nouns_top_50",
        "adjectives_top_50",
        "verbs_top_50",
        "topic_finance_frequent_words",
        "union_all_four",
    }
    pairs = set(tables["union_all_four"])
    for a in ("ours", "w2v_raw", "ppmi_svd"):
        for b in ("ours", "w2v_raw", "ppmi_svd"):
            assert f"{a} -> {b}" in pairs
    assert meta["promotion"]["promote"] is True
    assert meta["data"]["corpus"]["sha256"] and meta["metrics"]["corpus"]["documents"] == 400


def run_cli(*args: str, models: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.hat", *args, "--models-dir", str(models)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_explain_and_guess_print_json_lists(hat_trained: Paths, player: HatPlayer):
    out = run_cli("explain", "money", "-n", "4", models=hat_trained.models)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == player.explain("money", 4)
    out = run_cli("guess", "orbit", "launch", models=hat_trained.models)
    assert json.loads(out.stdout) == player.guess(["orbit", "launch"], 5)


def test_cli_bad_n_and_missing_model_are_clear_errors(tmp_path: Path, hat_trained: Paths):
    out = run_cli("explain", "money", "-n", "0", models=hat_trained.models)
    assert out.returncode == 2 and "between 1 and 100" in out.stderr
    out = run_cli("explain", "money", models=tmp_path)
    assert out.returncode == 1 and "./run_all.sh hat" in out.stderr
    assert "Traceback" not in out.stderr
