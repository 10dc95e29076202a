"""HatPlayer's contract, on a player trained from the small sample corpus (see conftest)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import ROOT, Paths
from pipeline.hat.player import HatPlayer
from pipeline.hat.rules import clean_explanation, stem
from pipeline.registry.store import production_dir, read_metadata
from tests.conftest import SMALL_ZOO

WORDS = ["money", "rocket", "software", "team", "church", "bank", "orbit", "pay"]


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
    assert player.guess(["bank"], 5) != player.guess(["bank", "orbit", "launch"], 5)


def test_guess_batch_answers_every_query_as_guess_does(player: HatPlayer):
    """The service's batch (one matrix product for every query) against one call a query, on
    clue lists with known, unknown and repeated words, no clue at all, and odd ``n_words``.
    """
    rng = np.random.default_rng(0)
    vocabulary = [*player.words[:400], "qwzxqwzx", "Ünïcode", "MONEY"]
    queries: list[tuple[list[str], int]] = [([], 5), (["qwzxqwzx"], 5), (["orbit"], 0)]
    for _ in range(60):
        words = [str(w) for w in rng.choice(vocabulary, size=rng.integers(1, 6))]
        queries.append((words, int(rng.choice([1, 5, 10]))))
    assert player.guess_batch(queries) == [player.guess(w, n) for w, n in queries]
    assert player.guess_batch([]) == []


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
    metrics = meta["metrics"]
    assert set(metrics["tables"]) == {
        "nouns_top_50",
        "adjectives_top_50",
        "verbs_top_50",
        "topic_finance_frequent_words",
        "union_all_four",
        "heldout_nouns",
    }
    pairs = set(metrics["tables"]["heldout_nouns"])
    assert "ours -> ours" in pairs
    for bot in SMALL_ZOO:
        assert {f"ours -> {bot}", f"{bot} -> ours"} <= pairs
    sides = {bot: rec["side"] for bot, rec in metrics["zoo"].items()}
    assert sides == {
        "ft_sg": "tuning",
        "ppmi": "tuning",
        "w2v_raw": "held_out",
        "w2v_stem": "held_out",
        "lsa": "held_out",
    }
    # the multi-player game: ours and every held-out bot, nobody else
    assert set(metrics["multi_player"]["heldout_nouns"]) == {"ours", "w2v_raw", "w2v_stem", "lsa"}
    assert 0.0 <= metrics["heldout_cross_play_rate"] <= 1.0
    assert meta["promotion"]["promote"] is True
    assert meta["data"]["corpus"]["sha256"] and metrics["corpus"]["documents"] == 400


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


def test_listener_chances_match_a_brute_force_ranking() -> None:
    """The explainer's model of another guesser: for the mean of the clues so far plus one
    candidate, the target's best cosine minus the top-th best rival's (no clue is an answer).
    """
    from pipeline.hat.listeners import Csr, Listener
    from pipeline.hat.listeners import ListenerState as _ListenerState

    rng = np.random.default_rng(0)
    n_tok, n_rows, dim, top = 40, 12, 8, 3
    vectors = rng.standard_normal((n_tok, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    tok_of_row = np.arange(n_rows, dtype=np.int32)
    tok_of_row[5] = -1  # a row the listener does not know
    match = Csr(
        np.array([0, 2, *range(3, 3 + n_rows - 1)]), np.array([30, 31, *range(1, 12)]), None
    )
    nbr = rng.integers(0, n_tok, size=(n_rows, 6)).astype(np.int32)
    li = Listener("t", 1.0, vectors, tok_of_row, match, nbr)
    rows = np.arange(1, n_rows)  # candidates; row 0 is the target (tokens 30 and 31)
    state = _ListenerState(li, 0, rows, rivals=6)
    pool = set(nbr[0]) | set(nbr[rows].ravel()) | set(tok_of_row[rows][tok_of_row[rows] >= 0])
    rivals = sorted(pool - {30, 31})
    chosen: list[int] = []
    for _ in range(3):
        p = state.chances(top, 0.05)
        for j, row in enumerate(rows):
            tok = tok_of_row[row]
            if tok < 0 and not chosen:
                assert p[j] == 0.0
                continue
            clues = [tok_of_row[rows[c]] for c in chosen] + ([tok] if tok >= 0 else [])
            q = vectors[clues].sum(axis=0)
            best = max(vectors[t] @ q for t in (30, 31))
            said = set(clues)
            third = sorted((vectors[t] @ q for t in rivals if t not in said), reverse=True)[top - 1]
            margin = (best - third) / np.linalg.norm(q)
            assert p[j] == pytest.approx(
                1 / (1 + np.exp(-np.clip(margin / 0.05, -50, 50))), abs=1e-4
            )
        j = int(np.argmax(np.where(np.isin(np.arange(len(rows)), chosen), -1, p)))
        state.choose(j, float(p[j]))
        if tok_of_row[rows[j]] >= 0:
            chosen.append(j)
