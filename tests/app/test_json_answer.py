"""The prepared JSON answer is ``jsonify``'s, byte for byte and header for header."""

from __future__ import annotations

import math

import pytest
from flask import Flask, jsonify

from app.json_answer import json_answer

BODIES = [
    {"b": 1, "a": [1.5, None, True], "c": {"z": "é🙂", "y": -0.0}},
    {"frequency_per_million": 0.0123, "guesses": 1e30, "guesses_log10": 30.0, "strength": "fair"},
    {"x": math.pi, "big": 10**20, "small": 5e-324, "quote": 'say "hi"\n\t\\'},
    [],
    {},
    "text",
    None,
]


@pytest.mark.parametrize("body", BODIES)
def test_json_answer_is_jsonify(app: Flask, body) -> None:
    with app.test_request_context():
        ours, flasks = json_answer(body), jsonify(body)
    assert ours.get_data() == flasks.get_data()
    assert ours.status_code == flasks.status_code
    assert sorted(ours.headers.items()) == sorted(flasks.headers.items())


def test_json_answer_indents_as_jsonify_does_in_debug_mode(app: Flask, monkeypatch) -> None:
    monkeypatch.setattr(app, "debug", True)
    with app.test_request_context():
        ours, flasks = json_answer(BODIES[0]), jsonify(BODIES[0])
    assert ours.get_data() == flasks.get_data() and b"\n  " in ours.get_data()


def test_json_answer_refuses_what_jsonify_refuses(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(TypeError):
        json_answer({"a": object()})
