"""Grouped n-gram models score exactly like the models they group."""

from __future__ import annotations

from pipeline.passwords.features.markov import Markov, MarkovGroup, padded_grams


def test_markov_groups_score_exactly_like_their_models() -> None:
    words = ["password", "monkey12", "dragon", "iloveyou", "abc", "pass"]
    plain = Markov.fit(words, [1.0] * 6, 3)
    weighted = Markov.fit(words, [2.5, 1.0, 0.5, 3.0, 1.0, 1.5], 3)  # same keys, other values
    fewer = Markov.fit(words[:3], [1.0] * 3, 3)  # same order, other keys
    pairs = Markov.fit(words, [1.0] * 6, 2)
    probes = ["password", "monkey", "zzqx", "", "a", "Ünï", "passpass", "abc12"]

    for models, shape in (
        ([pairs, plain, weighted], [(2, 1), (3, 2)]),
        ([pairs, plain, weighted, fewer], [(2, 1), (3, 1), (3, 1), (3, 1)]),
    ):
        groups = MarkovGroup.of(models)
        assert [(g.order, g.width) for g in groups] == shape
        for p in probes:
            scored = [s for g in groups for s in g.scores(padded_grams(p, g.order))]
            assert scored == [m.score(padded_grams(p, m.order)) for m in models]
