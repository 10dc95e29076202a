"""Feedback: one warning and suggestions per password, from what the model knows, never quoting
the password. The list and the dictionary are stand-ins here; the served model's are in
tests/app and tests/test_acceptance.py.
"""

from __future__ import annotations

import pytest

from pipeline.passwords.feedback import Feedback, advise

LISTED = {"123456": 1.0, "password": 3.0, "monkey": 14.0, "dragon": 20.0, "iloveyou": 8.0}
LISTED |= {f"common{i}": 50.0 + i for i in range(300)} | {"sunshine": 4_000.0}
WORDS = {"elephant", "monkey", "dragon", "sunshine", "password", "maria"}


def feedback(password: str, band: str = "weak") -> Feedback:
    return advise(password, band, LISTED.get, WORDS.__contains__)


@pytest.mark.parametrize(
    ("password", "warning"),
    [
        ("123456", "This is a top-10 common password."),
        ("common99", "This is a top-1,000 common password."),
        ("sunshine", "This is a top-10,000 common password."),
        ("Password", "This is a common password with capital letters."),
        ("monkey2024", "This is a common password with a year appended."),
        ("dragon77!", "This is a common password with digits or symbols appended."),
        ("p@ssw0rd", "This is a common password with symbols for look-alike letters."),
        ("uoyevoli", "This is a common password with its letters reversed."),
        ("elephant", "A word or a name on its own is easy to guess."),
        ("Maria", "A word or a name on its own is easy to guess."),
        ("asdfghjk", "Rows of keys on the keyboard are easy to guess."),
        ("xyzxyzxyz", "Repeated characters or chunks are easy to guess."),
        ("lmnopqrs", "Letters or numbers in sequence are easy to guess."),
        ("k9#v", "Short passwords are easy to guess."),
        ("zorbulent7", "This password looks like ones people commonly choose."),
    ],
)
def test_each_kind_of_weakness_gets_its_warning_and_a_suggestion(password, warning) -> None:
    got = feedback(password)
    assert got.warning == warning
    assert got.suggestions and all(s.endswith(".") for s in got.suggestions)


def test_a_password_rated_strong_gets_no_warning_and_no_suggestion() -> None:
    assert feedback("123456", band="strong") == Feedback(None, [])


def test_patterns_add_their_suggestions_to_the_first_warning() -> None:
    got = feedback("qwer1234")  # a keyboard row, a sequence, not listed
    assert got.warning == "Rows of keys on the keyboard are easy to guess."
    assert {"Avoid keyboard rows.", "Avoid sequences."} <= set(got.suggestions)
    assert feedback("monkey1987").suggestions[-1] == "Avoid years and dates people can link to you."
    assert any("at least 8 characters" in s for s in feedback("abc").suggestions)


@pytest.mark.parametrize(
    "password", ["123456", "Dragon", "monkey2024", "elephant", "asdfghjk", "k9#v", "zorbulent7"]
)
def test_no_message_quotes_the_password_or_its_base(password: str) -> None:
    got = feedback(password)
    text = " ".join([got.warning or "", *got.suggestions]).lower()
    assert password.lower() not in text
    assert not any(base in text for base in ("dragon", "monkey", "elephant", "asdf", "2024"))
    assert got.as_dict() == {"warning": got.warning, "suggestions": got.suggestions}
