"""The guesser's arrays over the rows it may answer, and the steps of a guess around its matrix
product (:meth:`pipeline.hat.player.HatPlayer.guess_batch`).

A row that may not be guessed has a prior of -inf and could never be answered, so a guess scores
the guessable rows only: half the vocabulary, half the product. The sparse tables (a vocabulary
row's associations) reach that space through one array of positions, in which every row that is
not guessable points at one extra slot past the end, whose score is never read: a clue's row is
then added with one numpy add, without a renumbered copy of the tables. And many guesses share one
product with the matrix, which is read once for them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.hat.listeners import Csr


@dataclass
class GuessPlan:
    """One guess between its clues and its answer."""

    n_words: int
    banned: set[int]  # vocabulary rows the clues rule out (themselves, words of their stems)
    scores: np.ndarray | None = None  # the guessable rows' and the extra slot; None: by frequency
    query: np.ndarray | None = None  # the clues' weighted mean vector, whose product is added


class GuessSpace:
    """The guessable rows' vectors, priors, frequency order and sparse tables."""

    def __init__(
        self,
        guess_ok: np.ndarray,
        vectors: np.ndarray,
        prior: np.ndarray,
        by_freq: np.ndarray,
        tables: dict[str, Csr],
    ) -> None:
        self.rows = np.flatnonzero(guess_ok)  # vocabulary row of each guessable row
        self.vectors = np.ascontiguousarray(vectors[self.rows])  # a private copy: contiguous
        n = len(self.rows)
        self.prior = np.append(prior[self.rows], np.float32(-np.inf))  # the extra slot last
        self._position = np.full(len(guess_ok), n, dtype=np.int32)  # not guessable: the slot
        self._position[self.rows] = np.arange(n, dtype=np.int32)
        self.by_freq = self._position[by_freq[guess_ok[by_freq]]]
        self.unanswerable = int(np.count_nonzero(~np.isfinite(self.prior[:n])))
        self.tables = tables

    def add(self, scores: np.ndarray, table: str, row: int, weight: float) -> None:
        """Scores += weight * row ``row`` of sparse table ``table`` (columns: vocabulary rows)."""
        csr = self.tables[table]
        lo, hi = csr.indptr[row], csr.indptr[row + 1]
        scores[self._position[csr.indices[lo:hi]]] += weight * csr.data[lo:hi]

    def add_products(self, plans: list[GuessPlan]) -> None:
        """Each plan's scores += the guessable vectors' product with its query, in one product
        (matrix @ queries.T: BLAS's faster order for a few queries, a column each).
        """
        if plans:
            products = (self.vectors @ np.stack([p.query for p in plans]).T).T
            for plan, product in zip(plans, products, strict=True):
                plan.scores[:-1] += product

    def best(self, plan: GuessPlan, shortlist: int) -> list[int]:
        """Vocabulary rows of the plan's best ``n_words`` candidates not ruled out, best first:
        among the ``shortlist`` best scores, or by frequency when the plan has no scores.
        """
        n_words, banned = plan.n_words, plan.banned
        scores = (self.prior if plan.scores is None else plan.scores)[:-1]  # not the extra slot
        if plan.scores is None:  # no further than n_words can reach past what is dropped
            order = self.by_freq[: n_words + len(banned) + self.unanswerable]
        else:
            k = min(len(scores), shortlist)
            top = np.argpartition(scores, len(scores) - k)[len(scores) - k :]
            order = top[np.argsort(-scores[top], kind="stable")]
        out: list[int] = []
        finite = np.isfinite(scores[order]).tolist()
        for row, ok in zip(self.rows[order].tolist(), finite, strict=True):
            if ok and row not in banned:
                out.append(row)
                if len(out) == n_words:
                    break
        return out
