"""Listeners: models of the other guessers our explainer must reach, and the running state of one
explanation judged by one listener (see ``HatPlayer._explain_for_listeners``).

Serving side: numpy only. A listener is saved as plain ``.npy`` files in its own folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Csr:
    """The three arrays of a CSR matrix, so serving needs no scipy."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray


def empty_csr(n_rows: int) -> Csr:
    """A CSR matrix of ``n_rows`` empty rows (a player without naive-opponent tables)."""
    return Csr(np.zeros(n_rows + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))


def csr_arrays(m: Any) -> Csr:
    """The arrays of any CSR-like matrix (scipy's or ours) in the dtypes the player saves."""
    return Csr(
        np.asarray(m.indptr, dtype=np.int64),
        np.asarray(m.indices, dtype=np.int32),
        np.asarray(m.data, dtype=np.float32),
    )


@dataclass(frozen=True)
class Listener:
    """A model of another guesser: a word space trained differently on the same corpus.

    A plain nearest-neighbour guesser answers the words closest to the mean of the clues, so the
    explainer can check, for each candidate clue, whether the target would rank among that
    listener's first answers. Only the tokens that can matter are kept: every row's own token, the
    tokens the host would accept for a row, and each row's nearest tokens (the likely rivals).
    """

    name: str
    weight: float
    vectors: np.ndarray  # (n_tokens, d) unit rows (float16 on disk: 2 bytes a value)
    tok_of_row: np.ndarray  # int32 per player row: its token, -1 when the listener lacks it
    match: Csr  # player row -> tokens that count as guessing it (soft mode: 'money,' 'moneys')
    nbr: np.ndarray  # int32 (player rows x k): each row's nearest tokens, -1 padded

    _PARTS = ("vectors", "tok_of_row", "match_indptr", "match_indices", "nbr")

    def save(self, d: Path) -> None:
        """Plain .npy files in folder `d` (vectors as float16)."""
        d.mkdir(parents=True, exist_ok=True)
        np.save(d / "vectors.npy", np.ascontiguousarray(self.vectors, dtype=np.float16))
        np.save(d / "tok_of_row.npy", np.asarray(self.tok_of_row, dtype=np.int32))
        np.save(d / "match_indptr.npy", np.asarray(self.match.indptr, dtype=np.int64))
        np.save(d / "match_indices.npy", np.asarray(self.match.indices, dtype=np.int32))
        np.save(d / "nbr.npy", np.asarray(self.nbr, dtype=np.int32))

    @classmethod
    def load(cls, d: Path, name: str, weight: float, mode: str | None) -> Listener:
        """Read a listener saved by :meth:`save`, memory-mapped when `mode` is "r"."""
        a = {part: np.load(d / f"{part}.npy", mmap_mode=mode) for part in cls._PARTS}
        match = Csr(a["match_indptr"], a["match_indices"], np.zeros(0, np.float32))
        return cls(name, weight, a["vectors"], a["tok_of_row"], match, a["nbr"])


class ListenerState:
    """One listener's view of one explanation in progress (see _explain_for_listeners).

    The tokens split once into the target's (a few) and the rivals (the rest), so each step is
    one addition and a few row maxima of a candidate x rival matrix. A clue is never its own answer
    and a clue already given is no answer either: both are -inf in the rival scores, the first
    fixed in ``gr``, the second carried by ``sums_r`` (adding a chosen row puts its own -inf there).
    """

    def __init__(self, li: Listener, target: int, rows: np.ndarray, rivals: int) -> None:
        lo, hi = int(li.match.indptr[target]), int(li.match.indptr[target + 1])
        targets = np.unique(np.asarray(li.match.indices[lo:hi], dtype=np.int64))
        self.active = len(targets) > 0 and li.weight > 0
        if not self.active:
            return
        self.weight = li.weight
        ctok = np.asarray(li.tok_of_row[rows], dtype=np.int64)
        nbr_rows = np.asarray(li.nbr[rows])[:, :rivals]
        pool = np.concatenate([np.asarray(li.nbr[target]), nbr_rows.ravel(), ctok])
        mark = np.zeros(len(li.vectors), dtype=bool)  # a mask beats setdiff1d's sorting
        mark[pool[pool >= 0]] = True
        mark[targets] = False
        rival_toks = np.flatnonzero(mark)  # sorted, unique
        self.has = ctok >= 0
        vc = np.zeros((len(rows), li.vectors.shape[1]), dtype=np.float32)
        vc[self.has] = li.vectors[ctok[self.has]]
        self.gt = vc @ np.asarray(li.vectors[targets], dtype=np.float32).T  # candidate x target
        self.gr = vc @ np.asarray(li.vectors[rival_toks], dtype=np.float32).T  # x rival
        self.gcc = vc @ vc.T  # candidate x candidate, for the norm of the clue sum
        at = np.searchsorted(rival_toks, ctok)
        own = self.has & (at < len(rival_toks))
        own[own] = rival_toks[at[own]] == ctok[own]
        self.gr[np.flatnonzero(own), at[own]] = -np.inf  # a clue is never its own answer
        at_t = np.searchsorted(targets, ctok)
        own_t = self.has & (at_t < len(targets))
        own_t[own_t] = targets[at_t[own_t]] == ctok[own_t]
        self.gt[np.flatnonzero(own_t), at_t[own_t]] = -np.inf
        self.sums_t = np.zeros(len(targets), dtype=np.float32)  # chosen clues' cosines summed
        self.sums_r = np.zeros(len(rival_toks), dtype=np.float32)
        self._sc = np.empty_like(self.gr)  # scratch for chances(): no allocation per step
        self.chosen: list[int] = []
        self.sq_norm = 0.0  # |sum of chosen clue vectors|^2
        self.reached = 0.0  # best chance so far that this listener has guessed the target

    def chances(self, top: int, tau: float) -> np.ndarray:
        """Per candidate: sigmoid(margin / tau) of the target over the top-th best rival."""
        best = (self.sums_t[None, :] + self.gt).max(axis=1)
        n_rivals = self.gr.shape[1]
        if n_rivals == 0:
            rival = np.full(len(best), -np.inf, dtype=np.float32)
        else:
            # the top-th largest per row: top is small, and top row maxima beat a partition
            sc = np.add(self.gr, self.sums_r[None, :], out=self._sc)
            every = np.arange(len(sc))
            for _ in range(min(top, n_rivals) - 1):
                sc[every, sc.argmax(axis=1)] = -np.inf
            rival = sc.max(axis=1)
        cross = self.gcc[:, self.chosen].sum(axis=1) if self.chosen else 0.0
        norm = np.sqrt(np.maximum(self.sq_norm + 2 * cross + self.has, 1e-6))
        with np.errstate(invalid="ignore"):  # -inf - -inf: no target left, handled below
            margin = np.where(np.isfinite(best), (best - rival) / norm, -np.inf)
        p = 1.0 / (1.0 + np.exp(-np.clip(margin / tau, -50.0, 50.0)))
        if not self.chosen:
            p[~self.has] = 0.0  # a clue the listener does not know tells it nothing
        return p

    def choose(self, j: int, p: float) -> None:
        """Record candidate j as the next clue."""
        if self.has[j]:
            self.sq_norm += 2 * float(self.gcc[j, self.chosen].sum()) + 1.0
            self.sums_t += self.gt[j]
            self.sums_r += self.gr[j]
            self.chosen.append(j)
        self.reached = max(self.reached, p)
