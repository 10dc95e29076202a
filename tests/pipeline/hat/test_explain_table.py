"""The precomputed explanation table changes no answer: it only moves the work to training."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.hat import explain_table
from pipeline.hat.player import HatPlayer
from pipeline.hat.player_files import save_explanations

DEPTH = 6


@pytest.fixture(scope="module")
def live(player: HatPlayer, tmp_path_factory: pytest.TempPathFactory) -> HatPlayer:
    """The trained player without its table: every explanation computed on the call."""
    folder = tmp_path_factory.mktemp("live") / "player"
    player.save(folder)
    for name in ("table_rows.npy", "table_clues.npy"):
        (folder / name).unlink(missing_ok=True)
    return HatPlayer.load(folder)


@pytest.fixture(scope="module")
def tabled(live: HatPlayer, tmp_path_factory: pytest.TempPathFactory) -> HatPlayer:
    """A copy of `live` with a table over every other row, built by two processes and read back
    from disk as the service reads it."""
    folder = tmp_path_factory.mktemp("tabled") / "player"
    live.save(folder)
    copy = HatPlayer.load(folder)
    rows = np.arange(0, len(copy.words), 2, dtype=np.int32)  # every other row
    copy.set_explanations(rows, explain_table.build(copy, rows, DEPTH, processes=2))
    save_explanations(copy, folder)
    return HatPlayer.load(folder)


def test_the_trained_player_has_a_table_of_its_most_frequent_words(player: HatPlayer):
    assert player.table_rows is not None and player.table_clues is not None
    frequent = np.argsort(-player.logfreq_z, kind="stable")[: len(player.table_rows)]
    assert set(player.table_rows.tolist()) == set(frequent.tolist())
    assert player.table_clues.shape == (len(player.table_rows), 10)  # params.yaml depth


def test_table_answers_equal_live_answers_for_every_n(live: HatPlayer, tabled: HatPlayer):
    assert tabled.table_rows is not None
    words = [tabled.words[r] for r in tabled.table_rows]
    assert len(words) >= 30
    assert sum(len(tabled.explain(w, DEPTH)) == DEPTH for w in words) >= 20  # not all empty
    for word in words:
        full = live.explain(word, DEPTH + 3)
        for n in (1, 3, DEPTH, DEPTH + 1, DEPTH + 3):  # beyond the depth: computed live
            assert tabled.explain(word, n) == full[:n] == live.explain(word, n), (word, n)


def test_words_outside_the_table_and_odd_input_are_computed_live(
    live: HatPlayer, tabled: HatPlayer
):
    assert tabled.table_rows is not None
    outside = [w for r, w in enumerate(tabled.words) if r not in set(tabled.table_rows.tolist())]
    assert outside
    for word in [*outside[:20], "MONEY", "real estate", "qwzxqwzx", ""]:
        assert tabled.explain(word, 5) == live.explain(word, 5)


def test_table_rows_are_the_most_frequent_words_sorted(player: HatPlayer):
    rows = explain_table.table_rows(player, frequent=50)
    by_freq = np.argsort(-player.logfreq_z, kind="stable")[:50]
    assert rows.tolist() == sorted(by_freq.tolist())


def test_one_process_and_two_give_the_same_table(live: HatPlayer):
    rows = np.resize(np.arange(len(live.words), dtype=np.int32), 300)  # two tasks of 250 at most
    one = explain_table.build(live, rows, 4, processes=1)
    two = explain_table.build(live, rows, 4, processes=2)
    assert one.dtype == np.int32 and np.array_equal(one, two)


def test_a_depth_beyond_the_prefix_guarantee_is_refused(live: HatPlayer):
    too_deep = int(live.scoring["shortlist"]) // 4 + 1
    with pytest.raises(ValueError, match="prefix"):
        explain_table.build(live, np.arange(3, dtype=np.int32), too_deep, processes=1)


def test_a_malformed_table_is_refused(live: HatPlayer):
    with pytest.raises(ValueError, match="explanation table"):
        live.set_explanations(np.arange(3, dtype=np.int32), np.zeros((2, 4), dtype=np.int32))
    assert live.table_rows is None
