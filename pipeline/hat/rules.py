"""The host's rules, mirrored from the public the-hat-game `Game` class.

Kept separate from the player so that the simulator judges clues exactly as the host would, and
so the player can be tested against the same functions it must satisfy. The host's
``edit_distance(a, b) <= 2`` is :func:`pipeline.hat.words.edit_distance_within` (the same answer,
tested against nltk's, and it stops early: the games call it for every clue and guess).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer

from pipeline.hat.words import edit_distance_within

_NON_LETTERS = re.compile(r"[\W\d]")
_STEMMER = SnowballStemmer("english")

WordExists = Callable[[str], bool]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem, cached because the simulator stems the same clues many times."""
    return _STEMMER.stem(word)


def _dedupe(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        if w not in out:
            out.append(w)
    return out


def clean_clue(word: str, clue: str) -> str:
    """One clue as the host's per-clue cleaning leaves it; "" when the host drops it.

    Lowercase, letters only, not containing the word, edit distance above 2 (the same steps as
    :func:`clean_explanation`, for one clue).
    """
    c = _NON_LETTERS.sub("", clue.lower())
    if not c or word in c or edit_distance_within(word, c, 2):
        return ""
    return c


def clean_explanation(
    word: str,
    reported: Sequence[str],
    n_words: int,
    criteria: str = "soft",
    word_exists: WordExists | None = None,
) -> list[str]:
    """Host cleaning of an explainer's list, step for step (`Game.create_word_list`).

    Hard mode truncates *before* cleaning and then drops same-stem and non-existing words (the
    host uses WordNet; pass `word_exists` to plug in a vocabulary, None keeps every word).
    Soft mode truncates *after* cleaning, so an explainer may over-supply clues.
    """
    if criteria not in ("soft", "hard"):
        raise ValueError(f"criteria must be 'soft' or 'hard', got {criteria!r}")
    words = list(reported)
    if criteria == "hard":
        words = words[:n_words]
    words = _dedupe(c for c in (clean_clue(word, w) for w in words) if c)
    if criteria == "hard":
        root = stem(word)
        words = [w for w in words if stem(w) != root]
        if word_exists is not None:
            words = [w for w in words if word_exists(w)]
    else:
        words = words[:n_words]
    return words


def is_guessed(word: str, guesses: Iterable[str], criteria: str = "soft") -> bool:
    """Host success test (`Game.check_criteria`): soft accepts close inflections containing
    the word (e.g. 'years' for 'year'), hard needs the exact string.
    """
    guesses = list(guesses)
    if criteria == "soft":
        return any((word in c) and edit_distance_within(word, c, 2) for c in guesses)
    return word in guesses


def round_score(n_explain_words: int, round_guessed: int) -> int:
    """A guesser that succeeds in round k (1-based) scores N + 1 - k."""
    return n_explain_words + 1 - round_guessed
