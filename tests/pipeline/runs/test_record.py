"""What the tracking step gathers of a run before MLflow is touched."""

from __future__ import annotations

import math

from pipeline.config import deep_merge
from pipeline.runs import record


def test_params_are_flattened_and_completed_by_what_the_model_recorded() -> None:
    section = {"player": {}, "game": {"n_guess": 5}, "corpus": "20newsgroups"}
    recorded = {"player": {"w2v": {"dim": 128}}, "game": {"n_guess": 5, "criteria": "soft"}}
    flat = record.flatten(deep_merge(section, recorded), "hat")
    assert flat == {
        "hat.player.w2v.dim": "128",
        "hat.game.n_guess": "5",
        "hat.game.criteria": "soft",
        "hat.corpus": "20newsgroups",
    }
    assert record.flatten({"a": [1, 2], "b": None, "c": True}, "p") == {
        "p.a": "[1, 2]",
        "p.b": "null",
        "p.c": "true",
    }


def test_a_run_is_the_steps_started_since_the_last_logged_run() -> None:
    records = {
        "passwords_train": {"step": "passwords_train", "started_at": 20.0, "finished_at": 30.0},
        "passwords_prepare": {"step": "passwords_prepare", "started_at": 12.0, "finished_at": 19},
        "hat_train": {"step": "hat_train", "started_at": 5.0, "finished_at": 9.0},
        "track": {"step": "track", "started_at": 10.0, "finished_at": 11.0},
    }
    steps = record.steps_of_run(records, since=10.5)
    assert [s["step"] for s in steps] == ["passwords_prepare", "passwords_train"]
    assert record.duration_metrics(steps) == {
        "duration_seconds.passwords_prepare": 7.0,
        "duration_seconds.passwords_train": 10.0,
        "duration_seconds.total": 18.0,
    }
    assert len(record.steps_of_run(records, since=-math.inf)) == 3
