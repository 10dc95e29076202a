"""Host-rule tests on hand-made examples."""

from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.distance import edit_distance

from pipeline.hat.rules import clean_explanation, is_guessed, round_score
from pipeline.hat.words import edit_distance_within as _edit_distance_within


def test_soft_cleaning_steps():
    got = clean_explanation(
        "money", ["Cash!", "moneys", "monkey", "pay2", "", "cash", "funds", "bank", "tax", "x"], 5
    )
    assert got == ["cash", "pay", "funds", "bank", "tax"]


def test_hard_truncates_first_then_drops_stems_and_unknown():
    got = clean_explanation(
        "run",
        ["running", "jog", "runner", "sprint", "race", "walk"],
        5,
        "hard",
        word_exists=lambda w: w != "sprint",
    )
    assert got == ["jog", "race"]


def test_guessed_criteria():
    assert is_guessed("year", ["month", "years"])
    assert not is_guessed("year", ["yearbooks"])
    assert not is_guessed("year", ["years"], "hard")
    assert round_score(5, 1) == 5 and round_score(5, 5) == 1


def test_soft_keeps_extra_clues_out_and_hard_counts_before_cleaning():
    clues = ["moneymaker", "cash", "bank", "coins", "loan", "debt", "tax"]
    assert clean_explanation("money", clues, 5) == ["cash", "bank", "coins", "loan", "debt"]
    assert clean_explanation("money", clues, 5, "hard") == ["cash", "bank", "coins", "loan"]


def test_edit_distance_rule_drops_close_words_only():
    assert clean_explanation("cat", ["car", "cut", "dog", "cats", "act"], 5) == ["dog"]


@settings(max_examples=500, deadline=None)
@given(st.text("abcde", max_size=9), st.text("abcde", max_size=9), st.integers(0, 3))
def test_the_players_bounded_edit_distance_agrees_with_the_hosts(a: str, b: str, k: int):
    assert _edit_distance_within(a, b, k) == (edit_distance(a, b) <= k)
