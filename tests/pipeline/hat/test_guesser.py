"""The guesser's candidate lists change no answer: a guess through them equals scoring every row,
or the guesser falls back to scoring every row when the lists cannot prove the answer.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from pipeline.hat.guesser import lists_for
from pipeline.hat.player import HatPlayer
from pipeline.hat.player_files import save_guess_lists


@pytest.fixture(scope="module")
def pair(player: HatPlayer, tmp_path_factory: pytest.TempPathFactory):
    """The trained player with short lists (read back from disk) and one without any."""
    folder = tmp_path_factory.mktemp("lists") / "player"
    player.save(folder)
    short = HatPlayer.load(folder)
    short.set_guess_lists(lists_for(short.scorer, 12))  # short: the proof often fails
    save_guess_lists(short, folder)
    with_lists = HatPlayer.load(folder)
    without = HatPlayer.load(folder)
    without.set_guess_lists(None)
    return with_lists, without


def queries(player: HatPlayer, n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    words = player.words
    coherent = [player.explain(w, 5) for w in rng.choices(words, k=n // 2)]
    mixed = [[rng.choice(words) for _ in range(rng.randint(1, 5))] for _ in range(n // 2)]
    return [q[:k] for q in coherent for k in range(1, len(q) + 1)] + mixed


def test_the_trained_player_has_its_lists(player: HatPlayer) -> None:
    lists = player.guess_lists
    assert lists is not None and lists.rows.shape[0] == len(player.words)
    assert lists.rows.dtype == np.uint16 and lists.values.dtype == np.float16


def test_guesses_through_the_lists_equal_scoring_every_row(pair) -> None:
    with_lists, without = pair
    qs = [*queries(with_lists, 300, seed=1), ["orbit", "qzxv", "launch"], ["MONEY", "bank"]]
    assert all(with_lists.guess(q, 5) == without.guess(q, 5) for q in qs)
    assert all(with_lists.guess(q, 12) == without.guess(q, 12) for q in qs[:50])


def test_the_lists_prove_most_answers_and_fall_back_on_the_rest(pair) -> None:
    with_lists, _ = pair
    proven = failed = 0
    for q in queries(with_lists, 200, seed=2):
        known = [(k, with_lists.index[c]) for k, c in enumerate(dict.fromkeys(q))]
        got = with_lists.scorer._through_lists(known, [], set(), 5)
        proven += got is not None
        failed += got is None
    assert proven > 0 and failed > 0  # both paths are exercised by these short lists


def test_the_lists_bound_every_unlisted_row(player: HatPlayer) -> None:
    lists = lists_for(player.scorer, 12)
    s = player.scorer
    for row in random.Random(3).sample(range(len(player.words)), 40):
        h = s.g_vectors @ player.vectors[row] + s.g_prior
        extra = np.zeros(len(player.words), dtype=np.float32)
        s._sparse(extra, s.assoc, row, s.assoc_g)
        h += extra[s.rows]
        listed = set(lists.rows[row].tolist())
        unlisted = [i for i, r in enumerate(s.rows) if int(r) not in listed]
        assert h[unlisted].max() <= lists.floor[row] + 1e-6
        got = dict(zip(lists.rows[row].tolist(), lists.values[row].astype(np.float32), strict=True))
        for i, r in enumerate(s.rows):
            if int(r) in got:
                assert got[int(r)] >= h[i] - 1e-6  # values are rounded up


def test_a_player_saved_without_lists_scores_every_row(player: HatPlayer, tmp_path: Path) -> None:
    player.save(tmp_path / "p")
    for name in ("guess_lists.npy", "guess_values.npy", "guess_floor.npy"):
        (tmp_path / "p" / name).unlink()
    loaded = HatPlayer.load(tmp_path / "p")
    assert loaded.guess_lists is None
    assert loaded.guess(["orbit", "launch"], 5) == player.guess(["orbit", "launch"], 5)
