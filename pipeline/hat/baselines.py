"""Naive reference bots, trained in the same run as HatPlayer so comparisons are fair."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.hat.counts import normalize_rows


class RawWord2VecBot:
    """The course recipe: skip-gram on raw lowercased whitespace tokens (headers, punctuation and
    all), plain most_similar for both roles, no filtering.
    """

    def __init__(self, docs: Sequence[Sequence[str]], seed: int = 1, workers: int = 2) -> None:
        from gensim.models import Word2Vec

        model = Word2Vec(
            docs, vector_size=100, window=5, min_count=5, sg=1, seed=seed, workers=workers
        )
        self.wv = model.wv

    def explain(self, word: str, n_words: int) -> list[str]:
        """The word's nearest neighbours, as they are."""
        if word not in self.wv:
            return []
        return [w for w, _ in self.wv.most_similar(word, topn=n_words)]

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Nearest neighbours of the known clues' mean vector."""
        known = [w for w in words if w in self.wv]
        if not known:
            return []
        return [w for w, _ in self.wv.most_similar(positive=known, topn=n_words)]


class CountSvdBot:
    """PPMI + truncated SVD vectors with naive cosine nearest neighbours."""

    def __init__(self, words: list[str], vectors: np.ndarray) -> None:
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.vectors = normalize_rows(vectors)

    def _nearest(self, query: np.ndarray, exclude: set[int], n: int) -> list[str]:
        scores = self.vectors @ query
        k = min(len(scores), n + len(exclude))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.words[i] for i in top if i not in exclude][:n]

    def explain(self, word: str, n_words: int) -> list[str]:
        """The word's nearest neighbours by cosine."""
        if word not in self.index:
            return []
        i = self.index[word]
        return self._nearest(self.vectors[i], {i}, n_words)

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Nearest neighbours of the clues' mean vector, clues excluded."""
        ids = [self.index[w] for w in words if w in self.index]
        if not ids:
            return []
        return self._nearest(self.vectors[ids].mean(axis=0), set(ids), n_words)
