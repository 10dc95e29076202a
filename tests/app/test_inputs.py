"""The JSON body reader answers what ``request.get_json(silent=True)`` answers, on every kind of
body and content type, and leaves the oversized body to werkzeug's 413.
"""

from __future__ import annotations

import json

import pytest
from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from app import inputs

BODIES = [
    b'{"password": "monkey12"}',
    b'{"passwords": ["a", "b\\u00e9"]}',
    '{"password": "pässwörd🙂"}'.encode(),
    '{"password": "utf-16"}'.encode("utf-16"),
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    b"",
    b"not json",
    b"\xff\xfe\x00",
    b'{"password": "trunc',
    b'{"a": 1} trailing',
]
TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/problem+json",
    "text/plain",
    None,
]


def body_as_both_read_it(app: Flask, data: bytes, content_type: str | None) -> tuple:
    """(json_body's answer, get_json(silent=True)'s answer) in two fresh requests."""
    answers = []
    for read in (inputs.json_body, lambda r: r.get_json(silent=True)):
        with app.test_request_context(
            "/predict", method="POST", data=data, content_type=content_type
        ):
            answers.append(read(request))
    return tuple(answers)


@pytest.mark.parametrize("content_type", TYPES)
@pytest.mark.parametrize("data", BODIES)
def test_json_body_answers_what_get_json_answers(app: Flask, data, content_type) -> None:
    ours, werkzeugs = body_as_both_read_it(app, data, content_type)
    assert ours == werkzeugs


def test_json_body_parses_the_usual_request(app: Flask) -> None:
    ours, _ = body_as_both_read_it(app, json.dumps({"password": "x"}).encode(), "application/json")
    assert ours == {"password": "x"}


def test_json_body_reads_exactly_the_declared_length(app: Flask) -> None:
    """A body longer than its Content-Length is read to the length, as werkzeug reads it."""
    environ = {"CONTENT_LENGTH": "8", "CONTENT_TYPE": "application/json"}
    with app.test_request_context(
        "/predict", method="POST", data=b"[1, 2]  garbage", environ_overrides=environ
    ):
        assert inputs.json_body(request) == [1, 2]


def test_an_oversized_body_is_left_to_werkzeugs_413(app: Flask) -> None:
    data = json.dumps({"password": "a" * (2 << 20)}).encode()
    with (
        app.test_request_context(
            "/predict", method="POST", data=data, content_type="application/json"
        ),
        pytest.raises(RequestEntityTooLarge),
    ):
        inputs.json_body(request)
