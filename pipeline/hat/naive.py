"""Theory of mind for naive bots: what a typical nearest-neighbour bot would say or guess.

Many opponents are "course recipe" bots: skip-gram on raw whitespace tokens, explain = the
target's nearest neighbours, guess = nearest neighbours of the averaged clues. We train our own
model with that recipe (our seed, our run; never the opponent's model) and precompute two sparse
tables from it and from our clean count space:

* `reverse` (explainer side): for a target t, the clue candidates c whose own neighbour list
  contains t (or an inflection the host would accept, e.g. 'money,' or 'moneys'). A naive guesser
  given c answers c's neighbours, so such clues let it recover t.
* `inverse` (guesser side): for a clue string s, the targets t whose naive explanation (neighbour
  list, cleaned by the host) contains s. Summed over the clues, this inverts a naive explainer,
  whose clues are often names, fragments or rare tokens that a similarity average cannot use.

The same models also serve as *listeners* (`listener_arrays`): the explainer checks that the target
ranks high among a listener's nearest words for the mean of its clues (see HatPlayer.explain).

Training side only (gensim); the player stores the tables as CSR arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pipeline.hat.counts import normalize_rows
from pipeline.hat.listeners import Csr, Listener
from pipeline.hat.rules import clean_clue


@dataclass
class Space:
    """A token space: unit rows, token list and index."""

    words: list[str]
    vectors: np.ndarray

    def __post_init__(self) -> None:
        self.vectors = normalize_rows(np.asarray(self.vectors, dtype=np.float32))
        self.index = {w: i for i, w in enumerate(self.words)}


def train_naive_raw(docs: Sequence[Sequence[str]], params: dict) -> Space:
    """Skip-gram on raw lowercased whitespace tokens, one worker (reproducible); `params` are
    gensim Word2Vec arguments (params.yaml, hat.player.naive: the course recipe, our own seed).
    """
    import logging

    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    model = Word2Vec(docs, workers=1, **params)
    return Space(list(model.wv.index_to_key), np.asarray(model.wv.vectors, dtype=np.float32))


def neighbours(space: Space, queries: Sequence[int], k: int, chunk: int = 1024) -> np.ndarray:
    """Top-k rows by cosine for each query row, itself excluded (like gensim most_similar)."""
    out = np.empty((len(queries), k), dtype=np.int64)
    q = np.asarray(queries, dtype=np.int64)
    for s in range(0, len(q), chunk):
        ids = q[s : s + chunk]
        sims = space.vectors[ids] @ space.vectors.T
        sims[np.arange(len(ids)), ids] = -np.inf
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1, kind="stable")
        out[s : s + len(ids)] = np.take_along_axis(top, order, axis=1)
    return out


def soft_targets(token: str) -> list[str]:
    """Every word t the host would count as guessed by the answer `token` (t in token and
    edit distance < 3, i.e. token is t plus at most two characters).
    """
    n = len(token)
    out = []
    for length in range(max(1, n - 2), n + 1):
        for s in range(0, n - length + 1):
            out.append(token[s : s + length])
    return out


def row_neighbours(
    space: Space, player_words: list[str], rows: np.ndarray, k: int
) -> dict[int, np.ndarray]:
    """{player row: its top-k neighbour token ids in `space`} for rows the space knows."""
    pairs = [(int(r), space.index.get(player_words[r])) for r in rows]
    pairs = [(r, s) for r, s in pairs if s is not None]
    nb = neighbours(space, [s for _, s in pairs], k)
    return {r: lst for (r, _), lst in zip(pairs, nb, strict=True)}


def reverse_table(
    space: Space, nbs: dict[int, np.ndarray], player_words: list[str], weights: np.ndarray
) -> sp.csr_matrix:
    """(target row x clue row) weights: clue c gets weights[r] for target t when the token at
    rank r of c's neighbour list in `space` (nbs[c]) would count as guessing t.
    """
    p_index = {w: i for i, w in enumerate(player_words)}
    t_idx, c_idx, vals = [], [], []
    for c_row, lst in nbs.items():
        seen: set[int] = set()
        for rank, tok in enumerate(lst):
            for t in soft_targets(space.words[tok]):
                t_row = p_index.get(t)
                if t_row is not None and t_row != c_row and t_row not in seen:
                    seen.add(t_row)
                    t_idx.append(t_row)
                    c_idx.append(c_row)
                    vals.append(weights[rank])
    n = len(player_words)
    return sp.csr_matrix(
        (np.asarray(vals, dtype=np.float32), (np.asarray(t_idx), np.asarray(c_idx))), shape=(n, n)
    )


def inverse_entries(
    space: Space,
    nbs: dict[int, np.ndarray],
    player_words: list[str],
    weights: np.ndarray,
) -> dict[tuple[str, int], float]:
    """{(clue string, target row): weight} for clue strings in the host-cleaned neighbour list
    nbs[t] of each target t (weights by raw rank, before cleaning, like a naive bot).
    """
    out: dict[tuple[str, int], float] = {}
    for t_row, lst in nbs.items():
        target = player_words[t_row]
        for rank, tok in enumerate(lst):
            c = clean_clue(target, space.words[tok])
            if c:
                key = (c, t_row)
                out[key] = max(out.get(key, 0.0), float(weights[rank]))
    return out


def inverse_table(
    entries: dict[tuple[str, int], float], n_rows: int, keys: list[str] | None = None
) -> tuple[list[str], sp.csr_matrix]:
    """Clue-string keys (sorted; or ``keys``, which must hold every entry's) and a
    (key x target row) CSR matrix of weights.
    """
    keys = sorted({c for c, _ in entries}) if keys is None else keys
    k_index = {c: i for i, c in enumerate(keys)}
    items = sorted(entries.items())
    r = np.asarray([k_index[c] for (c, _), _ in items], dtype=np.int64)
    c = np.asarray([t for (_, t), _ in items], dtype=np.int64)
    v = np.asarray([w for _, w in items], dtype=np.float32)
    return keys, sp.csr_matrix((v, (r, c)), shape=(len(keys), n_rows))


def listener_arrays(
    space: Space,
    player_words: list[str],
    nbs: dict[int, np.ndarray],
    name: str,
    weight: float,
) -> Listener:
    """`space` as a listener of the player: per player row its token, the tokens that count as
    guessing it and its nearest tokens (`nbs`, from :func:`row_neighbours`; rows without an
    entry get none). The vocabulary is cut down to the tokens
    these reach (re-indexed), so the player holds no vector it can never use.
    """
    n = len(player_words)
    p_index = {w: i for i, w in enumerate(player_words)}
    tok_of_row = np.array([space.index.get(w, -1) for w in player_words], dtype=np.int64)
    pairs = sorted(
        {
            (p_index[t], tok)
            for tok, w in enumerate(space.words)
            for t in soft_targets(w)
            if t in p_index
        }
    )
    m_rows = np.array([r for r, _ in pairs], dtype=np.int64)
    m_toks = np.array([t for _, t in pairs], dtype=np.int64)
    k = max((len(v) for v in nbs.values()), default=0)
    nbr = np.full((n, k), -1, dtype=np.int64)
    for r, lst in nbs.items():
        nbr[r, : len(lst)] = lst
    used = np.unique(np.concatenate([tok_of_row, m_toks, nbr.ravel()]))
    used = used[used >= 0]
    new = np.full(len(space.words), -1, dtype=np.int64)
    new[used] = np.arange(len(used))

    def remap(a: np.ndarray) -> np.ndarray:
        return np.where(a >= 0, new[np.maximum(a, 0)], -1).astype(np.int32)

    indptr = np.searchsorted(m_rows, np.arange(n + 1)).astype(np.int64)
    match = Csr(indptr, remap(m_toks), np.zeros(0, np.float32))
    return Listener(name, weight, space.vectors[used], remap(tok_of_row), match, remap(nbr))
