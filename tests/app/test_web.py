from __future__ import annotations

import re

import pytest

PASSWORD = "q8#Lm2!vZr9@Tx4k"


def test_page_has_three_post_forms(client) -> None:
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert len(re.findall(r'<form method="post"', html)) == 3
    assert 'type="password"' in html and "<script" not in html


def test_password_form_shows_band_and_frequency_without_the_password(client) -> None:
    r = client.post("/", data={"form": "password", "password": "123456"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="password-result"' in html and "Very weak" in html and "per million" in html
    assert html.count('class="bar lit"') == 1 and html.count('class="bar"') == 3  # the meter
    assert '<span id="guesses">the first guess</span>' in html
    assert 'id="warning">This is a top-10 common password.<' in html and 'id="suggestions"' in html
    r = client.post("/", data={"form": "password", "password": PASSWORD})
    html = r.get_data(as_text=True)
    assert "Strong" in html and PASSWORD not in html
    assert html.count('class="bar lit"') == 4 and 'id="warning"' not in html


def test_empty_or_long_password_is_explained_on_the_page(client) -> None:
    r = client.post("/", data={"form": "password", "password": ""})
    assert r.status_code == 400 and "The password is empty" in r.get_data(as_text=True)
    r = client.post("/", data={"form": "password", "password": "x" * 300})
    assert r.status_code == 400 and "longer than 256" in r.get_data(as_text=True)


def test_explain_and_guess_forms(client, player) -> None:
    word = player.words[0]
    r = client.post("/", data={"form": "explain", "word": word, "n_words": "3"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="clues"' in html
    assert html.count("<li>") == len(player.explain(word, 3)) > 0
    clues = " , ".join(player.explain(word, 3))
    r = client.post("/", data={"form": "guess", "clues": clues, "n_words": "4"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="guesses"' in html
    assert html.count("<li>") == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"form": "explain", "word": "", "n_words": "3"}, "word is required"),
        ({"form": "explain", "word": "car", "n_words": "many"}, "whole number"),
        ({"form": "guess", "clues": " , ", "n_words": "3"}, "words is required"),
        ({"form": "nope"}, "Unknown form"),
        ({}, "Unknown form"),
    ],
)
def test_bad_form_input_gets_a_400_page(client, data, message) -> None:
    r = client.post("/", data=data)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert message in r.get_data(as_text=True)


def test_user_text_is_escaped(client) -> None:
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    for data in (
        {"form": "explain", "word": attack, "n_words": "3"},
        {"form": "guess", "clues": attack, "n_words": "3"},
    ):
        html = client.post("/", data=data).get_data(as_text=True)
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_stylesheet_is_served(client) -> None:
    with client.get("/static/style.css") as r:  # closes the streamed file
        assert r.status_code == 200 and r.mimetype == "text/css"
