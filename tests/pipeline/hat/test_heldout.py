"""The held-out noun list: its builder's filters on hand-made statistics, the committed list, and
(with DATA_MIRROR) that the builder reproduces the committed list from 20 Newsgroups.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.hat import heldout
from pipeline.hat.heldout import WordStats, corpus_stats, heldout_nouns
from pipeline.hat.rules import stem
from pipeline.hat.simulator import load_word_list

NOUNS = ["car", "cars", "engine", "answer", "standard", "meaning", "john", "money", "idea", "ox"]


def stats_for(**over: WordStats) -> dict[str, WordStats]:
    # a typical noun: lowercase, after a determiner half the time, before a follower half
    noun = WordStats(count=100, lower=95, docs=50, after_det=50, before_follower=50)
    base = {w: noun for w in NOUNS}
    return {**base, **over}


def build(stats: dict[str, WordStats], exclude=("money",), size: int = 400) -> list[str]:
    return heldout_nouns(stats, NOUNS, ["standard"], {"idea"}, exclude, stem, size=size)


def test_the_filters_keep_common_lowercase_nouns_used_as_nouns() -> None:
    stats = stats_for(
        john=WordStats(100, 10, 50, 50, 50),  # a name: mostly capitalised
        engine=WordStats(100, 95, 80, 5, 50),  # seldom after a determiner
        answer=WordStats(100, 95, 60, 50, 10),  # seldom before a preposition or verb
    )
    # cars: plural of a listed noun; standard: an adjective; meaning: -ing; idea: a stop word
    # (here); money: a host word; ox: too short; engine, answer, john: as above
    assert build(stats) == ["car"]


def test_words_sharing_a_stem_with_a_host_word_are_left_out() -> None:
    assert "car" not in build(stats_for(), exclude=("Car",))  # the host's spelling, any case


def test_the_list_is_ranked_by_posts_then_alphabetically_and_cut_to_size() -> None:
    stats = stats_for(car=WordStats(100, 95, 10, 50, 50))
    stats["idea"] = WordStats(100, 95, 99, 50, 50)
    words = heldout_nouns(stats, [*NOUNS, "bus", "van"], [], set(), [], stem)
    assert words[0] == "idea" and words[-1] == "car"
    assert heldout_nouns(stats, NOUNS, [], set(), [], stem, size=2) == words[:2]


def test_corpus_stats_count_posts_determiners_and_followers() -> None:
    stats = corpus_stats(["The car is red. My Car, a car", "no car here"])
    car = stats["car"]
    assert (car.count, car.lower, car.docs) == (4, 3, 2)
    assert car.after_det == 4  # the, my, a and no are determiners
    assert car.before_follower == 2  # 'car is', 'car ,'


def test_the_committed_list_is_400_distinct_lowercase_nouns_off_the_host_lists() -> None:
    words = heldout.load()
    assert len(words) == 400 == len(set(words))
    assert all(w.isascii() and w.isalpha() and w.islower() and len(w) >= 3 for w in words)
    assert load_word_list(heldout.LIST_FILE) == words


MIRROR = Path(os.environ.get("DATA_MIRROR", "") or "/nonexistent")


@pytest.mark.slow
@pytest.mark.skipif(not (MIRROR / "20news-bydate.tar.gz").exists(), reason="no DATA_MIRROR")
def test_the_builder_reproduces_the_committed_list_from_20_newsgroups() -> None:
    from pipeline.hat.corpus import read_posts

    host = [w for f in sorted((MIRROR / "hat-vocab").glob("*.txt")) for w in load_word_list(f)]
    assert heldout.build(read_posts(MIRROR / "20news-bydate.tar.gz"), host) == heldout.load()
