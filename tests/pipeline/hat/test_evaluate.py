"""The Hat report as metrics: every pair of every word list, the floors."""

from __future__ import annotations

from pipeline.hat.evaluate import tracked_metrics

HAT_REPORT = {
    "version": "v-hat",
    "promoted": True,
    "cross_play_score": 0.75,
    "tables": {
        "nouns_top_50": {
            "ours -> ours": {"guessed_rate": 0.98, "mean_score": 4.68},
            "ours -> w2v_raw": {"guessed_rate": 0.6, "mean_score": 2.76},
        },
        "union_all_four": {"w2v_raw -> ours": {"guessed_rate": 0.82, "mean_score": 3.73}},
    },
    "floors": [{"passed": True}, {"passed": False}, {"passed": True}],
    "corpus": {"documents": 10},
}


def test_hat_metrics_hold_every_pair_of_every_word_list() -> None:
    metrics = tracked_metrics(HAT_REPORT)
    assert metrics == {
        "hat.cross_play_score": 0.75,
        "hat.nouns_top_50.ours_to_ours.guessed_rate": 0.98,
        "hat.nouns_top_50.ours_to_ours.mean_score": 4.68,
        "hat.nouns_top_50.ours_to_w2v_raw.guessed_rate": 0.6,
        "hat.nouns_top_50.ours_to_w2v_raw.mean_score": 2.76,
        "hat.union_all_four.w2v_raw_to_ours.guessed_rate": 0.82,
        "hat.union_all_four.w2v_raw_to_ours.mean_score": 3.73,
        "hat.floors_passed": 2.0,
        "hat.floors_total": 3.0,
    }
