from __future__ import annotations

import math
from pathlib import Path

import pytest

from app import create_app

PASSWORD = "q8#Lm2!vZr9@Tx4k"


FIELDS = {"frequency_per_million", "strength", "guesses", "guesses_log10", "feedback"}


def test_predict_one_password(client) -> None:
    r = client.post("/predict", json={"password": PASSWORD})
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == FIELDS | {"model_version"}
    assert body["strength"] == "strong" and PASSWORD not in r.get_data(as_text=True)
    assert body["feedback"] == {"warning": None, "suggestions": []}
    assert body["guesses_log10"] == pytest.approx(math.log10(body["guesses"]))


def test_a_common_password_gets_few_guesses_a_warning_and_suggestions(client) -> None:
    common, rare = (
        client.post("/predict", json={"password": p}).get_json() for p in ("123456", PASSWORD)
    )
    assert common["guesses"] < 10 < 1e6 < rare["guesses"]
    assert common["feedback"]["warning"] == "This is a top-10 common password."
    assert common["feedback"]["suggestions"]


def test_a_batch_gives_each_password_its_guesses_and_feedback(client) -> None:
    r = client.post("/predict", json={"passwords": ["iloveyou", PASSWORD, "Iloveyou1"]})
    listed, strong, edited = r.get_json()["predictions"]
    assert all(set(p) == FIELDS for p in (listed, strong, edited))
    assert listed["feedback"]["warning"].startswith("This is a top-")
    assert strong["feedback"]["warning"] is None
    assert edited["feedback"]["warning"] == "This is a common password with capital letters."
    assert "iloveyou" not in r.get_data(as_text=True).lower()


def test_predict_batch_keeps_order(client) -> None:
    r = client.post("/predict", json={"passwords": ["123456", PASSWORD, "123456"]})
    preds = r.get_json()["predictions"]
    assert r.status_code == 200 and len(preds) == 3
    assert (
        preds[0] == preds[2]
        and preds[0]["frequency_per_million"] > 100 * preds[1]["frequency_per_million"]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": {}}, 'either "password" or "passwords"'),
        ({"json": {"password": ""}}, '"password" is empty'),
        ({"json": {"password": "a" * 257}}, "longer than 256"),
        ({"json": {"password": 123}}, "must be a string"),
        ({"json": {"password": None}}, "must be a string"),
        ({"json": ["123456"]}, 'either "password" or "passwords"'),
        ({"json": {"password": "a", "passwords": ["b"]}}, 'either "password" or "passwords"'),
        ({"json": {"passwords": "abc"}}, "list of 1 to 1000"),
        ({"json": {"passwords": []}}, "list of 1 to 1000"),
        ({"json": {"passwords": ["a"] * 1001}}, "list of 1 to 1000"),
        ({"json": {"passwords": ["ok", 5]}}, '"passwords"[1] must be a string'),
        ({"data": "not json"}, "must be JSON"),
        ({"data": b"\xff\xfe\x00", "content_type": "application/json"}, "must be JSON"),
    ],
)
def test_predict_bad_input_is_a_400_naming_the_problem(client, kwargs, message) -> None:
    r = client.post("/predict", **kwargs)
    assert r.status_code == 400 and message in r.get_json()["error"]


def test_large_body_is_refused(client) -> None:
    r = client.post("/predict", json={"password": "a" * (2 << 20)})
    assert r.status_code == 413 and r.get_json() == {"error": "request body too large"}


def test_explain_and_guess_speak_the_host_protocol(client) -> None:
    r = client.get("/explain", query_string={"word": "money", "n_words": 5})
    clues = r.get_json()
    assert r.status_code == 200 and len(clues) == 5 and all(isinstance(c, str) for c in clues)
    r = client.get("/guess", query_string={"words": ["bank", "cash"], "n_words": 5})
    guesses = r.get_json()
    assert r.status_code == 200 and len(guesses) == 5 and not {"bank", "cash"} & set(guesses)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/explain", "word is required"),
        ("/explain?word=", "word is required"),
        ("/explain?word=money", "n_words is required"),
        ("/explain?word=money&n_words=abc", "whole number"),
        ("/explain?word=money&n_words=-3", "between 1 and 100"),
        ("/explain?word=money&n_words=100000", "between 1 and 100"),
        ("/guess", "words is required"),
        ("/guess?n_words=5", "words is required"),
        ("/guess?words=&n_words=5", "words is required"),
        ("/guess?words=bank&n_words=1.5", "whole number"),
    ],
)
def test_hat_bad_input_is_a_400_naming_the_problem(client, url, message) -> None:
    r = client.get(url)
    assert r.status_code == 400 and message in r.get_json()["error"]


@pytest.mark.parametrize("word", ["Ünïcode", "qwzxqwzx", "MONEY"])
def test_odd_words_get_a_list(client, word) -> None:
    r = client.get("/explain", query_string={"word": word, "n_words": 3})
    assert r.status_code == 200 and isinstance(r.get_json(), list)


def test_unknown_path_and_wrong_method_are_json(client) -> None:
    assert client.get("/nope").get_json() == {"error": "no such endpoint"}
    r = client.get("/predict?password=123456")
    assert r.status_code == 405 and "error" in r.get_json()
    assert client.delete("/predict").status_code == 405


def test_health_reports_versions(client, models_dir: Path) -> None:
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and set(body["models"]) == {"passwords", "hat"}


def test_health_is_503_with_a_reason_when_models_are_missing(tmp_path: Path) -> None:
    client = create_app({"models_dir": tmp_path}).test_client()
    r = client.get("/health")
    assert r.status_code == 503 and "run_all.sh passwords" in r.get_json()["reason"]["passwords"]
    r = client.post("/predict", json={"password": "abc"})
    assert r.status_code == 503 and "not loaded" in r.get_json()["error"]
