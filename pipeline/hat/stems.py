"""Serve-time Snowball stems without importing NLTK.

Importing nltk pulls scipy.stats and scikit-learn, which would blow the serving memory budget
(``benchmarks.hat_player`` reports the modules serving imports), so stems are computed at training
time for every corpus word and looked up here. For a word the corpus never saw we fall back to a
conservative prefix rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class StemIndex:
    """Maps words to Snowball stems and stems to candidate rows."""

    def __init__(self, word_to_stem: Mapping[str, str], row_stems: Iterable[str]) -> None:
        self.word_to_stem = dict(word_to_stem)
        self.stem_to_rows: dict[str, list[int]] = {}
        for row, s in enumerate(row_stems):
            self.stem_to_rows.setdefault(s, []).append(row)

    def rows_sharing_stem(self, word: str) -> list[int]:
        """Rows whose stem equals stem(word).

        Unknown words: Snowball stems are (almost always) a prefix of the word, or a prefix plus
        a final 'i' (happy -> happi), so every row whose stem has that shape is excluded. This
        over-excludes a little, which is the safe direction for the 'no shared stem' contract.
        """
        s = self.word_to_stem.get(word)
        if s is not None:
            return self.stem_to_rows.get(s, [])
        rows: list[int] = []
        for end in range(2, len(word) + 1):
            p = word[:end]
            rows.extend(self.stem_to_rows.get(p, ()))
            rows.extend(self.stem_to_rows.get(p[:-1] + "i", ()) if p.endswith("y") else ())
            rows.extend(self.stem_to_rows.get(p + "i", ()) if end < len(word) else ())
        return rows

    def stem(self, word: str) -> str | None:
        """The precomputed stem, None for a word the corpus never saw."""
        return self.word_to_stem.get(word)
