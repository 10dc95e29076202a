"""The Hat's evaluation: who plays whom, the tables by side of the split, the promotion metric,
the floors, and the report as metrics.
"""

from __future__ import annotations

import pytest

from pipeline.hat.evaluate import (
    HELDOUT,
    NOUNS,
    UNION,
    Lineup,
    format_tables,
    heldout_cross_play,
    pairs,
    play_all,
    tracked_metrics,
)
from pipeline.hat.floors import floor_checks, format_floors
from pipeline.hat.simulator import Simulator
from tests.pipeline.hat.test_simulator import Scripted

FLOORS = {"pair_nouns": 0.5, "pair_heldout": 0.4, "self_nouns": 0.9, "self_heldout": 0.8}


class Echo:
    """Explains a word by itself plus 'x', guesses the first clue minus its last letter."""

    def explain(self, word, n_words):
        return [word + "xyz", "other"][:n_words]

    def guess(self, words, n_words):
        return [words[0][:-3]]


def lineup(production=None) -> Lineup:
    zoo = {"tune": Scripted(), "held": Scripted(), "held2": Echo()}
    return Lineup(
        ours=Echo(),
        zoo=zoo,
        families={"tune": "fasttext", "held": "word2vec", "held2": "lsa"},
        sides={"tune": "tuning", "held": "held_out", "held2": "held_out"},
        production=production,
    )


def test_ours_meets_every_zoo_bot_both_ways_and_production_only_the_held_out_ones() -> None:
    assert pairs(lineup()) == [
        ("ours", "ours"),
        ("ours", "tune"),
        ("tune", "ours"),
        ("ours", "held"),
        ("held", "ours"),
        ("ours", "held2"),
        ("held2", "ours"),
    ]
    with_prod = pairs(lineup(production=Echo()))
    assert with_prod[-4:] == [
        ("production", "held"),
        ("held", "production"),
        ("production", "held2"),
        ("held2", "production"),
    ]


def test_tables_the_multi_player_games_and_the_metric_use_the_lists_and_sides() -> None:
    # Echo's clue 'wordxyz' is cleaned away ('word' in it), so its explanation is ['other'] and
    # Echo guesses 'oth': nobody ever guesses anything except by luck; make one word winnable
    lists = {NOUNS: ["cat"], UNION: ["cat", "dog"], HELDOUT: ["dog"]}
    line = lineup()
    line.zoo["held"].clues["dog"] = ["bone"]
    line.zoo["held"].guesses[("other",)] = ["dog"]
    tables, multi = play_all(Simulator(), line, lists)
    assert set(tables) == {NOUNS, UNION, HELDOUT}
    assert tables[HELDOUT]["ours -> held"]["guessed_rate"] == 1.0  # ours says 'other' for dog
    assert tables[NOUNS]["ours -> held"]["guessed_rate"] == 0.0
    assert set(multi[HELDOUT]) == {"ours", "held", "held2"}  # no tuning bot
    # held guesses 'dog' in round 1 from ours's and from held2's explanation ('other'): 5 + 5
    assert multi[HELDOUT]["held"] == {"explaining": 0, "guessing": 10, "total": 10}
    assert multi[HELDOUT]["ours"] == {"explaining": 5, "guessing": 0, "total": 5}
    assert heldout_cross_play(tables, "ours", ["held", "held2"]) == pytest.approx(
        (0.5 + 1.0) / 8  # ours -> held: 1/2 on the union, 1/1 on the held-out list
    )
    text = format_tables(tables, line, lists, multi)
    assert text.index("held-out families") < text.index("held ") < text.index("tuning families")


def test_floors_are_the_issues_and_read_held_out_bots_only() -> None:
    tables = {
        NOUNS: {
            "ours -> ours": {"guessed_rate": 0.92},
            "ours -> held": {"guessed_rate": 0.5},
            "held -> ours": {"guessed_rate": 0.48},
            "ours -> tune": {"guessed_rate": 0.0},
        },
        HELDOUT: {
            "ours -> ours": {"guessed_rate": 0.79},
            "ours -> held": {"guessed_rate": 0.4},
            "held -> ours": {"guessed_rate": 0.9},
        },
    }
    multi = {
        NOUNS: {"ours": {"total": 150}, "held": {"total": 100}},
        HELDOUT: {"ours": {"total": 149}, "held": {"total": 100}},
    }
    checks = floor_checks(tables, multi, ["held"], {**FLOORS, "multi_ratio": 1.5})
    got = {(c["list"], c["pair"]): c["passed"] for c in checks}
    assert got == {
        (NOUNS, "ours -> held"): True,
        (NOUNS, "held -> ours"): False,
        (HELDOUT, "ours -> held"): True,
        (HELDOUT, "held -> ours"): True,
        (NOUNS, "ours -> ours"): True,
        (HELDOUT, "ours -> ours"): False,
        (NOUNS, "multi-player: ours / best opponent"): True,
        (HELDOUT, "multi-player: ours / best opponent"): False,
    }
    text = format_floors(checks)
    assert "5 of 8 met" in text and "[FAIL] nouns_top_50   held -> ours" in text


def test_the_report_as_metrics_holds_every_pair_the_multi_player_totals_and_floors() -> None:
    report = {
        "heldout_cross_play_rate": 0.75,
        "tables": {NOUNS: {"ours -> held": {"guessed_rate": 0.6, "mean_score": 2.76}}},
        "multi_player": {NOUNS: {"ours": {"explaining": 3, "guessing": 4, "total": 7}}},
        "floors": [{"passed": True}, {"passed": False}, {"passed": True}],
    }
    assert tracked_metrics(report) == {
        "hat.heldout_cross_play_rate": 0.75,
        "hat.nouns_top_50.ours_to_held.guessed_rate": 0.6,
        "hat.nouns_top_50.ours_to_held.mean_score": 2.76,
        "hat.multi.nouns_top_50.ours.total": 7.0,
        "hat.floors_passed": 2.0,
        "hat.floors_total": 3.0,
    }
