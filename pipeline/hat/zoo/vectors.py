"""Cosine nearest neighbours over a plain (words, vectors) table: what a numpy student writes.

Used by the count-based recipes (PPMI-SVD, LSA), whose authors have no library ``most_similar``:
explain = the word's nearest rows, guess = nearest rows to the mean of the known clues' unit
vectors, with the clues themselves excluded (as gensim does).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def nearest_many(
    matrix: np.ndarray,
    queries: np.ndarray,
    excludes: list[set[int]],
    n: int,
    scale: np.ndarray | None = None,
    chunk: int = 128,
) -> list[list[int]]:
    """Per query row, the ``n`` rows of ``matrix`` with the largest dot product (divided by
    ``scale`` per row when given), best first, skipping the query's ``excludes``: one matrix
    product per chunk of queries instead of one pass over ``matrix`` per query.
    """
    out: list[list[int]] = []
    for s in range(0, len(queries), chunk):
        scores = queries[s : s + chunk] @ matrix.T
        if scale is not None:
            scores /= scale
        ex = excludes[s : s + chunk]
        k = min(scores.shape[1], n + max((len(e) for e in ex), default=0))
        if k <= 0:
            out.extend([] for _ in ex)
            continue
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        for row, cand, skip in zip(scores, top, ex, strict=True):
            cand = cand[np.argsort(-row[cand], kind="stable")]
            out.append([int(i) for i in cand if int(i) not in skip][:n])
    return out


def unit_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero) so a dot product is the cosine."""
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


class VectorBot:
    """Plain cosine neighbours; no filtering of what it answers (a typical first bot)."""

    def __init__(self, words: list[str], vectors: np.ndarray) -> None:
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.vectors = unit_rows(vectors)

    def _nearest(self, query: np.ndarray, exclude: set[int], n: int) -> list[str]:
        scores = self.vectors @ query
        k = min(len(scores), n + len(exclude))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.words[i] for i in top if int(i) not in exclude][:n]

    def explain(self, word: str, n_words: int) -> list[str]:
        """The word's nearest neighbours by cosine ([] for a word it does not know)."""
        i = self.index.get(word)
        if i is None:
            return []
        return self._nearest(self.vectors[i], {i}, int(n_words))

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Nearest neighbours of the mean of the known clues, clues excluded."""
        ids = [self.index[w] for w in words if w in self.index]
        if not ids:
            return []
        return self._nearest(self.vectors[ids].mean(axis=0), set(ids), int(n_words))

    def guess_many(self, queries: list[list[str]], n_words: int) -> list[list[str]]:
        """:meth:`guess` for many clue lists at once (one matrix product per chunk)."""
        ids = [[self.index[w] for w in q if w in self.index] for q in queries]
        asked = [i for i, r in enumerate(ids) if r]
        out: list[list[str]] = [[] for _ in queries]
        if asked:
            means = np.stack([self.vectors[ids[i]].mean(axis=0) for i in asked])
            found = nearest_many(self.vectors, means, [set(ids[i]) for i in asked], int(n_words))
            for i, rows in zip(asked, found, strict=True):
                out[i] = [self.words[r] for r in rows]
        return out

    def save(self, folder: Path) -> None:
        """words.txt + vectors.npy (float32, unit rows)."""
        (folder / "words.txt").write_text("\n".join(self.words) + "\n", encoding="utf-8")
        np.save(folder / "vectors.npy", self.vectors)

    @classmethod
    def load(cls, folder: Path) -> VectorBot:
        """Read what :meth:`save` wrote."""
        words = (folder / "words.txt").read_text(encoding="utf-8").split("\n")[:-1]
        return cls(words, np.load(folder / "vectors.npy"))
