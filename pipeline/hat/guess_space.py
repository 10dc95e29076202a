"""The guesser's arrays over the rows it may answer, and the steps of a guess around its matrix
product (:meth:`pipeline.hat.player.HatPlayer.guess_many`).

A row that may not be guessed has a prior of -inf and could never be answered, so a guess scores
the guessable rows only: half the vocabulary, half the product. The sparse tables' columns are
renumbered into that space once, when the player loads, so that a clue's association row is one
numpy add; and many guesses share one product with the matrix, which is read once for them all.
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
    scores: np.ndarray | None = None  # over the guessable rows; None: answer by frequency
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
        self.prior = np.ascontiguousarray(prior[self.rows])
        self._of_row = np.full(len(guess_ok), -1, dtype=np.int32)
        self._of_row[self.rows] = np.arange(len(self.rows), dtype=np.int32)
        self.by_freq = self._of_row[by_freq[guess_ok[by_freq]]]
        self.unanswerable = int(np.count_nonzero(~np.isfinite(self.prior)))
        self.tables = {name: self._renumbered(csr) for name, csr in tables.items()}

    def _renumbered(self, csr: Csr) -> Csr:
        """``csr`` with its columns (vocabulary rows) as guessable rows, the others' entries
        dropped.
        """
        indptr, indices, data = (np.asarray(a) for a in (csr.indptr, csr.indices, csr.data))
        cols = self._of_row[indices]
        keep = cols >= 0
        kept_before = np.concatenate([[0], np.cumsum(keep)]).astype(np.int64)  # per entry
        return Csr(kept_before[indptr], cols[keep], data[keep])

    def add(self, scores: np.ndarray, table: str, row: int, weight: float) -> None:
        """Scores += weight * row ``row`` of sparse table ``table``."""
        csr = self.tables[table]
        lo, hi = csr.indptr[row], csr.indptr[row + 1]
        scores[csr.indices[lo:hi]] += weight * csr.data[lo:hi]

    def add_products(self, plans: list[GuessPlan]) -> None:
        """Each plan's scores += the guessable vectors' product with its query, in one product
        (matrix @ queries.T: BLAS's faster order for a few queries, a column each).
        """
        if plans:
            products = (self.vectors @ np.stack([p.query for p in plans]).T).T
            for plan, product in zip(plans, products, strict=True):
                plan.scores += product

    def best(self, plan: GuessPlan, shortlist: int) -> list[int]:
        """Vocabulary rows of the plan's best ``n_words`` candidates not ruled out, best first:
        among the ``shortlist`` best scores, or by frequency when the plan has no scores.
        """
        n_words, banned, scores = plan.n_words, plan.banned, plan.scores
        if scores is None:  # no further than n_words can reach past what is dropped
            scores = self.prior
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
