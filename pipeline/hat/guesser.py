"""The guesser's scoring, exact and cheap: per-clue candidate lists precomputed at training.

A guess scores every guessable word c by

    score(c) = prior(c) + sum_k w_k [cos(clue_k, c) + assoc_g * ppmi(clue_k, c)]
               + inv_g * sum_k decay**k * inverse[clue_k, c],        w_k = decay**k / sum decay**k

and answers the best. Scoring all ~12,500 guessable words reads a 16 MB matrix per call, which
dominated /guess. Because the weights w_k sum to 1, score(c) - inverse terms = sum_k w_k h_k(c)
with h_k(c) = cos + assoc + prior for clue k alone. So at training each word r gets the list of
the ``M`` guessable words with the highest h_r (their values rounded up to float16) and the
(M+1)-th value ``t_r``, an upper bound of h_r for every word not listed. A guess then:

1. sums, for the words on any clue's list, an upper bound of their score (a clue's own value
   where listed, its bound t_k elsewhere, plus the inverse terms); every other word scores at
   most T = sum_k w_k t_k;
2. computes the exact score of the best candidates by that bound, more of them until the n-th
   best exact score is no lower than the bound of every candidate not computed;
3. answers them when that n-th best score is also at least T, which proves that no other word
   could beat them (the answer is exactly the full product's, barring float32 ties); otherwise
   it scores every word as before.

Serving side: numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LIST_FILES = ("guess_lists.npy", "guess_values.npy", "guess_floor.npy")
_SLACK = 1e-5  # float32 sums in another order differ by ~1e-7: bounds keep this margin


@dataclass(frozen=True)
class GuessLists:
    """Per player row: the M guessable rows with the highest h (uint16 row ids), their values
    (float16, rounded up) and the bound t of every other row (float32).
    """

    rows: np.ndarray
    values: np.ndarray
    floor: np.ndarray


def build_lists(
    vectors: np.ndarray,
    guess_rows: np.ndarray,
    prior: np.ndarray,
    assoc: tuple[np.ndarray, np.ndarray, np.ndarray],
    assoc_g: float,
    m: int,
    chunk: int = 1024,
) -> GuessLists:
    """The lists of every row of ``vectors`` (training side; rows must fit in uint16)."""
    n = len(vectors)
    if n > np.iinfo(np.uint16).max:
        raise ValueError(f"{n} rows do not fit the uint16 lists")
    guess_rows = np.asarray(guess_rows, dtype=np.int64)
    m = min(int(m), len(guess_rows))
    g_vectors = np.ascontiguousarray(vectors[guess_rows], dtype=np.float32)
    g_prior = np.asarray(prior, dtype=np.float32)[guess_rows]
    pos = np.full(n, -1, dtype=np.int64)
    pos[guess_rows] = np.arange(len(guess_rows))
    indptr, indices, data = (np.asarray(a) for a in assoc)
    rows = np.zeros((n, m), dtype=np.uint16)
    values = np.zeros((n, m), dtype=np.float16)
    floor = np.full(n, -np.inf, dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        h = np.asarray(vectors[start:stop], dtype=np.float32) @ g_vectors.T + g_prior[None, :]
        for r in range(start, stop):  # the PPMI associations of row r that are guessable
            cols, vals = indices[indptr[r] : indptr[r + 1]], data[indptr[r] : indptr[r + 1]]
            at = pos[cols]
            h[r - start, at[at >= 0]] += assoc_g * vals[at >= 0]
        if m < len(guess_rows):
            part = np.argpartition(-h, m, axis=1)[:, : m + 1]
        else:
            part = np.broadcast_to(np.arange(m), (stop - start, m))
        vals = np.take_along_axis(h, part, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        part, vals = np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, 1)
        if m < len(guess_rows):
            floor[start:stop] = vals[:, m]
        rows[start:stop] = guess_rows[part[:, :m]]
        values[start:stop] = _round_up_f16(vals[:, :m])
    return GuessLists(rows, values, floor)


def _round_up_f16(x: np.ndarray) -> np.ndarray:
    """float16 values no lower than ``x`` (an upper bound stays one)."""
    h = x.astype(np.float16)
    low = h.astype(np.float32) < x
    h[low] = np.nextafter(h[low], np.float16(np.inf))
    return h


def plain_lists(lists: GuessLists | None) -> GuessLists | None:
    """The lists as plain ndarray views (see :class:`Scorer`)."""
    if lists is None:
        return None
    return GuessLists(np.asarray(lists.rows), np.asarray(lists.values), np.asarray(lists.floor))


class Scorer:
    """Exact guess scores over the guessable rows, through the lists when they prove the answer.

    ``vectors`` are the player's unit rows, ``prior`` its per-row prior (-inf where a row may not
    be answered), ``assoc`` and ``inverse`` CSR arrays, ``lists`` from :func:`build_lists` (None:
    always score every row).
    """

    def __init__(
        self,
        vectors: np.ndarray,
        prior: np.ndarray,
        assoc: tuple[np.ndarray, np.ndarray, np.ndarray],
        inverse: tuple[np.ndarray, np.ndarray, np.ndarray],
        demo_inverse: tuple[np.ndarray, np.ndarray, np.ndarray],
        scoring: dict[str, float],
        lists: GuessLists | None,
    ) -> None:
        # plain ndarray views of the player's memory-mapped files: the same pages, without the
        # memmap subclass's bookkeeping on every slice (a fifth of a guess's time)
        vectors, prior = np.asarray(vectors), np.asarray(prior)
        assoc, inverse, demo_inverse = (
            tuple(np.asarray(a) for a in csr) for csr in (assoc, inverse, demo_inverse)
        )
        self.prior = prior
        self.rows = np.flatnonzero(np.isfinite(prior))
        self.g_vectors = np.ascontiguousarray(vectors[self.rows])  # private copy: half the rows
        self.g_prior = prior[self.rows]
        self.vectors = vectors
        self.pos = np.full(len(prior), -1, dtype=np.int64)
        self.pos[self.rows] = np.arange(len(self.rows))
        self.assoc, self.inverse, self.demo_inverse = assoc, inverse, demo_inverse
        self.assoc_g, self.inv_g = float(scoring["assoc_g"]), float(scoring["inv_g"])
        self.demo_g = float(scoring.get("demo_g", 0.0))  # 0 for players without demo tables
        self.decay = float(scoring["decay"])
        self.shortlist = int(scoring["shortlist"])
        self.lists = lists

    @property
    def lists(self) -> GuessLists | None:
        """The candidate lists in use (None: every guess scores every row)."""
        return self._lists

    @lists.setter
    def lists(self, lists: GuessLists | None) -> None:
        self._lists = plain_lists(lists)

    def _sparse(self, out: np.ndarray, csr: tuple, row: int, weight: float) -> None:
        indptr, indices, data = csr
        lo, hi = indptr[row], indptr[row + 1]
        out[indices[lo:hi]] += weight * data[lo:hi]

    def extras(self, known: Sequence[tuple[int, int]], inv: Sequence[tuple[int, int]]):
        """Dense per-row association and inverse terms of the clues (most rows zero)."""
        total = sum(self.decay**k for k, _ in known)
        assoc = np.zeros(len(self.prior), dtype=np.float32)
        if self.assoc_g:
            for k, row in known:
                self._sparse(assoc, self.assoc, row, self.assoc_g * self.decay**k / total)
        inverse = np.zeros(len(self.prior), dtype=np.float32)
        for table, weight in ((self.inverse, self.inv_g), (self.demo_inverse, self.demo_g)):
            if weight:
                for k, key in inv:
                    self._sparse(inverse, table, key, weight * self.decay**k)
        return assoc, inverse

    def query(self, known: Sequence[tuple[int, int]]) -> np.ndarray:
        """sum_k w_k v_k: the weighted mean of the known clues' vectors."""
        w = np.array([self.decay**k for k, _ in known], dtype=np.float32)
        return (w[:, None] * self.vectors[[row for _, row in known]]).sum(axis=0) / w.sum()

    def full(self, known, inv) -> np.ndarray:
        """Every row's score (-inf where it may not be answered): the reference."""
        scores = self.prior.copy()
        assoc, inverse = self.extras(known, inv)
        if known:
            scores[self.rows] += self.g_vectors @ self.query(known)
        return scores + assoc + inverse

    def best(self, known, inv, banned: set[int], n: int) -> list[int]:
        """The ``n`` best rows not in ``banned``, best first."""
        if known and self.lists is not None:
            fast = self._through_lists(known, inv, banned, n)
            if fast is not None:
                return fast
        scores = self.full(known, inv) if (known or inv) else self.prior
        k = min(len(scores), self.shortlist)
        top = np.argpartition(-scores, k - 1)[:k]
        out = []
        for i in top[np.argsort(-scores[top], kind="stable")]:
            if np.isfinite(scores[i]) and int(i) not in banned:
                out.append(int(i))
                if len(out) == n:
                    break
        return out

    def _through_lists(self, known, inv, banned: set[int], n: int) -> list[int] | None:
        assert self.lists is not None
        n_rows = len(self.prior)
        w = np.array([self.decay**k for k, _ in known], dtype=np.float32)
        w /= w.sum()
        clue_rows = np.array([row for _, row in known], dtype=np.intp)
        floors = np.asarray(self.lists.floor[clue_rows], dtype=np.float32)
        # a list of every guessable row has no bound (-inf): no row is unlisted for that clue
        complete = ~np.isfinite(floors)
        floors[complete] = 0.0
        base = float(w @ floors) + _SLACK
        bound_all = -np.inf if complete.any() else base  # T: no unlisted row scores more
        listed = np.asarray(self.lists.rows[clue_rows], dtype=np.intp).ravel()
        values = np.asarray(self.lists.values[clue_rows], dtype=np.float32)
        gains = (w[:, None] * (values - floors[:, None])).ravel()
        gain = np.bincount(listed, weights=gains, minlength=n_rows)
        assoc, inverse = self.extras(known, inv)
        touched = np.zeros(n_rows, dtype=bool)
        touched[listed] = True
        for (indptr, indices, _), weight in (
            (self.inverse, self.inv_g),
            (self.demo_inverse, self.demo_g),
        ):
            for _, key in inv if weight else ():
                touched[indices[indptr[key] : indptr[key + 1]]] = True
        if banned:
            touched[np.fromiter(banned, dtype=np.intp, count=len(banned))] = False
        cand = np.flatnonzero(touched)
        cand = cand[self.pos[cand] >= 0]
        if len(cand) < n:
            return None
        bound = base + gain[cand] + inverse[cand]
        q = self.query(known)
        size = min(len(cand), 16 * n)  # most guesses are proven within the first block
        while True:
            if size < len(cand):
                part = np.argpartition(-bound, size)
                block, rest = part[:size], float(bound[part[size:]].max())
            else:
                block, rest = np.arange(len(cand)), -np.inf
            rows = cand[block]
            at = self.pos[rows]
            exact = self.g_vectors[at] @ q + self.g_prior[at] + assoc[rows] + inverse[rows]
            nth = float(np.partition(exact, len(exact) - n)[len(exact) - n])
            if nth >= rest:
                break
            size = min(len(cand), 2 * size)
        if nth < bound_all:
            return None  # an unlisted row might score more: not proven
        best = np.argsort(-exact, kind="stable")[:n]
        return [int(r) for r in rows[best]]


def lists_for(scorer: Scorer, m: int) -> GuessLists:
    """The candidate lists of a scorer's player (training side)."""
    return build_lists(scorer.vectors, scorer.rows, scorer.prior, scorer.assoc, scorer.assoc_g, m)
