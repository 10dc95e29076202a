"""Theory of mind for the engine demo's bots (fastText on raw lines, nearest neighbours).

Most bots in a course tournament start from the engine's demo notebook. We train our own copies
of that recipe (our seeds, never an opponent's model: params.yaml ``hat.player.demo``) and
precompute from them, with a consensus over the copies:

* a ``reverse`` table (target row x clue row): how surely a demo guesser answers the target in
  round 1 when it is given that clue alone. Its round-1 answer is the clue's first 5 neighbours,
  and the host counts one that contains the target within edit distance 2 (case-sensitive), so a
  clue whose neighbours hold the target reaches it; later rounds query the joined clues as one
  string of character n-grams and seldom help. The explainer puts such a clue first.
* inverse entries (clue string, target row): the clues a demo explainer gives for each target
  (its first 5 neighbours as the host cleans them: 'pay.' -> 'pay'), and, at a lower weight, the
  targets in each clue's own neighbour list. The guesser adds them to its inverse table, which
  decodes a demo explainer's odd clues ('paying', 'pills', 'bending' for 'money').

Training side only (fastText); the player stores plain arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from pipeline.hat.naive import soft_targets
from pipeline.hat.rules import clean_explanation


class FtSpace:
    """The unit word vectors of a fastText model and its nearest-neighbour search, in numpy.

    fastText 0.9.2 ranks every vocabulary word by the cosine of its word vector (the mean of its
    own row and its character n-gram rows) with the query's vector, bans only the query string
    itself and returns the top k: :meth:`nearest` does the same for many queries at once.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.words = list(model.words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.unit = _unit(np.stack([model.get_word_vector(w) for w in self.words]))

    def vectors_of(self, strings: Sequence[str]) -> np.ndarray:
        """Unit vectors of any strings (unknown ones from their character n-grams)."""
        return _unit(np.stack([self.model.get_word_vector(s) for s in strings]))

    def nearest(self, queries: Sequence[str], k: int, chunk: int = 256) -> list[list[str]]:
        """``get_nearest_neighbors(q, k)`` for every query string q."""
        out: list[list[str]] = []
        for s in range(0, len(queries), chunk):
            qs = list(queries[s : s + chunk])
            sims = self.vectors_of(qs) @ self.unit.T
            for r, q in enumerate(qs):
                if (i := self.index.get(q)) is not None:
                    sims[r, i] = -np.inf
            out.extend([[self.words[j] for j in row] for row in top_k(sims, k)])
        return out


def top_k(sims: np.ndarray, k: int, block: int = 512) -> np.ndarray:
    """Per row, the columns of the k largest values, largest first (ties: lower column first).

    A full partition of every 65,000-column row is the cost of a neighbour search. Instead the
    k-th largest of a row's block maxima bounds its k-th largest value from below (k blocks hold
    k values that high), so only the values at least that high, in the blocks whose maximum is,
    are sorted.
    """
    n_rows, n_cols = sims.shape
    n_blocks = n_cols // block
    if n_blocks < k:
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        return top
    body = sims[:, : n_blocks * block].reshape(n_rows, n_blocks, block)
    maxima = body.max(axis=2)
    floor = np.partition(maxima, n_blocks - k, axis=1)[:, n_blocks - k]
    r_idx, b_idx = np.nonzero(maxima >= floor[:, None])
    vals = body[r_idx, b_idx]  # (pairs, block)
    p_idx, c_idx = np.nonzero(vals >= floor[r_idx][:, None])
    rows = r_idx[p_idx]
    cols = b_idx[p_idx] * block + c_idx
    tail = sims[:, n_blocks * block :]
    t_rows, t_cols = np.nonzero(tail >= floor[:, None])
    rows = np.concatenate([rows, t_rows])
    cols = np.concatenate([cols, t_cols + n_blocks * block])
    order = np.lexsort((cols, -sims[rows, cols], rows))  # by row, then value down, then column
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(n_rows))
    rank = np.arange(len(rows)) - starts[rows]
    keep = rank < k
    out = np.zeros((n_rows, k), dtype=np.int64)
    out[rows[keep], rank[keep]] = cols[keep]
    return out


def _unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def _rank_weights(k: int, answered: int, rest: float) -> np.ndarray:
    """1 for the ranks a demo guesser answers (the first ``answered``), ``rest`` below them."""
    return np.array([1.0 if r < answered else rest for r in range(k)], dtype=np.float32)


def demo_tables(
    spaces: Sequence[FtSpace],
    player_words: list[str],
    clue_rows: np.ndarray,
    guess_rows: np.ndarray,
    cfg: dict[str, Any],
) -> tuple[sp.csr_matrix, dict[tuple[str, int], float]]:
    """The consensus ``reverse`` table and inverse entries of our demo copies (module doc).

    ``cfg`` (params.yaml ``hat.player.demo``): ``k`` neighbours per word, the first ``answered``
    of them weigh 1 and the rest ``rest``; the explanations' entries weigh 1, the clues'
    neighbour lists' ``neighbour_weight``; every weight is averaged over the copies.
    """
    k, answered = int(cfg["k"]), int(cfg["answered"])
    weights = _rank_weights(k, answered, float(cfg["rest"]))
    share = 1.0 / len(spaces)
    p_index = {w: i for i, w in enumerate(player_words)}
    rev: dict[tuple[int, int], float] = {}
    entries: dict[tuple[str, int], float] = {}
    clue_words = [player_words[r] for r in clue_rows]
    target_words = [player_words[r] for r in guess_rows]
    for space in spaces:
        for c_row, nbrs in zip(clue_rows, space.nearest(clue_words, k), strict=True):
            seen: set[int] = set()
            for rank, tok in enumerate(nbrs):
                for t in soft_targets(tok):
                    t_row = p_index.get(t)
                    if t_row is None or t_row == c_row or t_row in seen:
                        continue
                    seen.add(t_row)
                    key = (t_row, int(c_row))
                    rev[key] = rev.get(key, 0.0) + share * float(weights[rank])
                    clue_key = (player_words[c_row], t_row)
                    entries[clue_key] = entries.get(clue_key, 0.0) + share * float(
                        cfg["neighbour_weight"]
                    ) * float(weights[rank])
        for t_row, t, nbrs in zip(
            guess_rows, target_words, space.nearest(target_words, k), strict=True
        ):
            for c in clean_explanation(t, nbrs[:answered], answered, "soft"):
                key = (c, int(t_row))
                entries[key] = entries.get(key, 0.0) + share
    n = len(player_words)
    items = sorted(rev.items())
    reverse = sp.csr_matrix(
        (
            np.asarray([v for _, v in items], dtype=np.float32),
            (
                np.asarray([t for (t, _), _ in items], dtype=np.int64),
                np.asarray([c for (_, c), _ in items], dtype=np.int64),
            ),
        ),
        shape=(n, n),
    )
    return reverse, entries
