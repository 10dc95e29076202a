"""The host's text rules as serving needs them: its normalisation of a word, and the edit-distance
test by which it drops a clue too close to the secret word. Standard library only.
"""

from __future__ import annotations

import re

_NON_LETTERS = re.compile(r"[\W\d_]")


def normalize_word(word: str) -> str:
    """The host's own normalisation (lowercase, letters only), so lookups match what it sends."""
    return _NON_LETTERS.sub("", str(word).lower())


def edit_distance_within(a: str, b: str, k: int) -> bool:
    """Whether the Levenshtein distance (nltk's edit_distance with default arguments) is <= k.

    The host drops a clue within distance 2 of the word. Each row's minimum bounds the final
    distance from below, so most pairs of different words stop after a few rows.
    """
    if abs(len(a) - len(b)) > k or len(set(a) ^ set(b)) > 2 * k:
        return False  # one edit changes the length by at most 1 and the letter set by at most 2
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > k:
            return False
        prev = cur
    return prev[-1] <= k
