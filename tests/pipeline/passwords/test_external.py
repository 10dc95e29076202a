"""External leaks: the parts, the metrics, the scoring of a leak."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from pipeline.passwords import external
from pipeline.passwords.external import Leak, auc, leak_name, part_of, ranking_metrics


def test_a_string_keeps_its_part_and_the_parts_are_halves() -> None:
    words = [f"pw{i}" for i in range(20_000)]
    parts = [part_of(w) for w in words]
    assert parts == [part_of(w) for w in words]
    assert 0.48 < parts.count("held_out") / len(parts) < 0.52


def test_auc_counts_ties_half_like_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    score = rng.integers(0, 5, 500).astype(float)  # many ties
    positive = rng.random(500) < 0.3
    assert auc(score, positive) == roc_auc_score(positive, score)
    assert auc(np.zeros(10), np.arange(10) < 3) == 0.5
    assert np.isnan(auc(np.arange(4.0), np.zeros(4, bool)))


def test_a_constant_ranker_has_no_spearman_but_an_auc_of_one_half() -> None:
    got = ranking_metrics(np.ones(6), np.array([1, 1, 2, 3, 1, 1.0]))
    assert np.isnan(got["spearman"]) and got["auc"] == 0.5


def test_scoring_a_leak_reports_each_part_and_the_censoring() -> None:
    passwords = [f"s{i}" for i in range(400)]
    counts = np.where(np.arange(400) < 40, 3.0, 1.0)
    parts = np.array([part_of(p) for p in passwords])
    leak = Leak("toy", passwords, counts, parts, zxcvbn=-np.arange(400.0), info={})
    lookup = np.where(np.arange(400) < 60, 2.0, 0.0)  # 60 listed strings
    served = np.where(lookup > 0, lookup, 0.1)
    served[399] = 5.0  # one absent string above the rarest listed frequency
    scores = external.score_leak(leak, served, lookup, rarest=1.0)
    assert set(scores) == {"tuning", "held_out", "all"}
    whole = scores["all"]
    assert whole["strings"] == 400 and whole["absent_from_list"] == 340 and whole["reused"] == 40
    assert whole["censoring"] == 339 / 340
    assert whole["lookup"]["auc"] > 0.5 and whole["model"]["spearman"] > 0
    assert scores["tuning"]["strings"] + scores["held_out"]["strings"] == 400
    text = external.format_leak("toy", scores, 1.0)
    assert "held-out part" in text and "censoring: 99.7%" in text


def test_leaks_are_named_by_source_or_by_file() -> None:
    assert leak_name("phpbb") == "phpbb"
    assert leak_name("/data/other leak-withcount.txt.gz") == "other_leak-withcount"
    assert leak_name("https://example.org/lists/myspace.txt") == "myspace"
