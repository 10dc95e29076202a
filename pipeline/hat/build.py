"""Build a HatPlayer from the corpus: train representations, choose vocabularies, precompute.

Everything heavy (gensim, scikit-learn, nltk) lives here, on the training side only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from pipeline.hat.corpus import Corpus
from pipeline.hat.counts import build_vocab, cooccurrence, normalize_rows, ppmi, svd_vectors
from pipeline.hat.demo import FtSpace, demo_tables
from pipeline.hat.embeddings import train_word2vec
from pipeline.hat.listeners import Listener
from pipeline.hat.naive import (
    Space,
    inverse_entries,
    inverse_table,
    listener_arrays,
    reverse_table,
    row_neighbours,
)
from pipeline.hat.player import HatPlayer
from pipeline.hat.rules import stem

# The hyper-parameters live in params.yaml (hat.player), the one source of truth: min_count, w2v,
# svd, w2v_weight, the clue_*/guess_* vocabulary filters, min_len, hub_k, assoc_top/assoc_scale,
# naive (our course-recipe model), tom_* (naive-opponent tables), listeners and scoring.


@dataclass
class CountModel:
    """Shared PPMI-SVD representation (vocabulary + raw SVD vectors)."""

    words: list[str]
    vectors: np.ndarray  # U * S**svd_power
    ppmi: sp.csr_matrix
    svd_power: float


def train_count_model(corpus: Corpus, cfg: dict[str, Any]) -> CountModel:
    """Our PPMI-SVD representation (windowed by 1/distance, smoothed contexts)."""
    vocab = build_vocab(corpus.counts(), cfg["min_count"])
    s = cfg["svd"]
    m = ppmi(cooccurrence(corpus.sentences, vocab, s["window"]), s["cds_alpha"])
    return CountModel(vocab, svd_vectors(m, s["dim"], s["power"], s["seed"]), m, float(s["power"]))


def top_associations(m: sp.csr_matrix, rows: list[int], top: int, scale: float) -> sp.csr_matrix:
    """Keep each row's `top` strongest PPMI associations (rows/cols re-indexed to `rows`),
    scaled to roughly [0, 1]: first-order collocations ('white' ~ 'house') that averaged
    vectors blur, at a memory cost bounded by rows * top.
    """
    sub = m[rows][:, rows].tocsr()
    indptr, indices, data = [0], [], []
    for r in range(sub.shape[0]):
        lo, hi = sub.indptr[r], sub.indptr[r + 1]
        d, j = sub.data[lo:hi], sub.indices[lo:hi]
        if len(d) > top:
            keep = np.argpartition(-d, top - 1)[:top]
            d, j = d[keep], j[keep]
        order = np.argsort(j)
        indices.append(j[order])
        data.append(d[order] / scale)
        indptr.append(indptr[-1] + len(d))
    return sp.csr_matrix(
        (
            np.concatenate(data).astype(np.float32),
            np.concatenate(indices).astype(np.int32),
            np.asarray(indptr, dtype=np.int64),
        ),
        shape=sub.shape,
    )


def plain_count_space(model: CountModel, words: list[str], dim: int, power: float) -> Space:
    """Our count vectors as a textbook PPMI-SVD bot would use them: the first `dim` components
    with singular values to the power `power` (ours are trained with hat.player.svd.power). The
    columns of U * S**p have norms S**p, so rescaling them changes the power without a new SVD.
    """
    v = model.vectors[:, :dim].astype(np.float64)
    col = np.linalg.norm(v, axis=0)
    col[col == 0] = 1.0
    p = float(model.svd_power)
    scaled = v * col ** (power / p - 1.0)
    index = {w: i for i, w in enumerate(model.words)}
    return Space(words, scaled[[index[w] for w in words]].astype(np.float32))


def hubness(vectors: np.ndarray, cand: np.ndarray, k: int, chunk: int = 2048) -> np.ndarray:
    """Mean cosine of every row to its k nearest candidate rows (self excluded)."""
    c = vectors[cand]
    out = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), chunk):
        sims = vectors[start : start + chunk] @ c.T
        top = -np.partition(-sims, k, axis=1)[:, : k + 1]
        top.sort(axis=1)
        out[start : start + chunk] = top[:, :-1].mean(axis=1)  # drop the best (usually self)
    return out


def _mask(
    words: list[str],
    corpus: Corpus,
    min_count: int,
    min_docs: int,
    min_lower: float,
    min_len: int,
    allow: Callable[[str], bool],
) -> np.ndarray:
    counts = corpus.counts()
    out = np.zeros(len(words), dtype=bool)
    for i, w in enumerate(words):
        c = counts[w]
        out[i] = (
            w.isalpha()
            and w.isascii()
            and len(w) >= min_len
            and c >= min_count
            and corpus.doc_counts[w] >= min_docs
            and corpus.lower_counts[w] >= min_lower * c
            and allow(w)
        )
    return out


def build_player(
    corpus: Corpus,
    count_model: CountModel,
    cfg: dict[str, Any],
    w2v: tuple[list[str], np.ndarray] | None = None,
    log: Callable[[str], None] = print,
    naive: Space | None = None,
    demo: list[FtSpace] | None = None,
) -> HatPlayer:
    """Blend word2vec and PPMI-SVD cosines into one matrix and precompute per-word priors.

    `naive`: our own course-recipe model (raw tokens); with it the player also gets the
    reverse/inverse neighbour tables that model naive opponents. `demo`: our copies of the
    engine demo's fastText recipe (pipeline/hat/demo.py), for its table of round-1 clues and
    more inverse entries (only with `naive`).
    """
    t0 = time.time()
    if w2v is None:
        w2v = train_word2vec(corpus.sentences, cfg["w2v"], reproducible=True)
        log(f"  word2vec trained in {time.time() - t0:.1f}s")
    w_words, w_vecs = w2v
    w_index = {w: i for i, w in enumerate(w_words)}
    words = [w for w in count_model.words if w in w_index]
    c_index = {w: i for i, w in enumerate(count_model.words)}
    a = float(cfg["w2v_weight"])
    blended = np.hstack(
        [
            np.sqrt(a) * normalize_rows(w_vecs[[w_index[w] for w in words]]),
            np.sqrt(1 - a) * normalize_rows(count_model.vectors[[c_index[w] for w in words]]),
        ]
    )
    vectors = normalize_rows(blended)
    stop = ENGLISH_STOP_WORDS
    clue_ok = _mask(
        words,
        corpus,
        cfg["clue_min_count"],
        cfg["clue_min_docs"],
        cfg["clue_min_lower"],
        cfg["min_len"],
        lambda w: w not in stop,
    )
    guess_ok = _mask(
        words,
        corpus,
        cfg["guess_min_count"],
        cfg["guess_min_docs"],
        cfg["guess_min_lower"],
        2,
        lambda w: True,
    )
    counts = corpus.counts()
    lf = np.log(np.array([counts[w] for w in words], dtype=np.float64))
    logfreq_z = ((lf - lf.mean()) / lf.std()).astype(np.float32)
    hub = hubness(vectors, np.flatnonzero(clue_ok | guess_ok), cfg["hub_k"])
    word_to_stem = {w: stem(w) for w in counts if w.isalpha()}
    reverse = inverse = demo_reverse = demo_inverse = None
    inv_keys: list[str] = []
    listeners: list[Listener] = []
    if naive is not None:
        t1 = time.time()
        k = int(cfg["tom_k"])
        lc = cfg["listeners"]
        if int(lc["k"]) < k:
            raise ValueError("hat.player.listeners.k must be at least tom_k")
        rank_w = np.array(
            [cfg["tom_top5"]] * min(5, k) + [cfg["tom_rest"]] * max(0, k - 5), dtype=np.float32
        )
        clue_rows, guess_rows = np.flatnonzero(clue_ok), np.flatnonzero(guess_ok)
        modelled = np.flatnonzero(clue_ok | guess_ok)
        nb_deep = row_neighbours(naive, words, modelled, int(lc["k"]))
        nb = {r: lst[:k] for r, lst in nb_deep.items()}  # sorted: the top k of the deeper lists
        count_space = Space(count_model.words, count_model.vectors)
        plain = plain_count_space(count_model, words, int(lc["count_dim"]), lc["count_power"])
        reverse = reverse_table(
            naive, {r: nb[r] for r in clue_rows if r in nb}, words, rank_w
        ) + reverse_table(
            count_space, row_neighbours(count_space, words, clue_rows, k), words, rank_w
        )
        entries = inverse_entries(naive, {r: nb[r] for r in guess_rows if r in nb}, words, rank_w)
        plain_nb = row_neighbours(plain, words, modelled, int(lc["k"]))
        w_count = float(cfg["tom_count_inv"])
        if w_count:
            plain_entries = inverse_entries(
                plain, {r: plain_nb[r][:k] for r in guess_rows}, words, rank_w
            )
            for key, value in plain_entries.items():
                entries[key] = entries.get(key, 0.0) + w_count * value
        demo_entries: dict[tuple[str, int], float] = {}
        if demo:
            t2 = time.time()
            demo_reverse, demo_entries = demo_tables(
                demo, words, clue_rows, guess_rows, cfg["demo"]
            )
            log(
                f"  demo tables from {len(demo)} copies: {demo_reverse.nnz} round-1 entries,"
                f" {len(demo_entries)} inverse entries in {time.time() - t2:.1f}s"
            )
        inv_keys = sorted({c for c, _ in entries} | {c for c, _ in demo_entries})
        _, inverse = inverse_table(entries, len(words), inv_keys)
        _, demo_inverse = inverse_table(demo_entries, len(words), inv_keys)
        listeners = [
            listener_arrays(naive, words, nb_deep, "naive", float(lc["naive_weight"])),
            listener_arrays(plain, words, plain_nb, "count", float(lc["count_weight"])),
        ]
        log(
            f"  naive-opponent tables: {reverse.nnz} reverse / {inverse.nnz} inverse entries "
            f"({len(inv_keys)} clue strings), listeners "
            + ", ".join(f"{li.name} ({len(li.vectors)} tokens)" for li in listeners)
            + f" in {time.time() - t1:.1f}s"
        )
    log(
        f"  player: {len(words)} rows, {int(clue_ok.sum())} clue / {int(guess_ok.sum())} guess"
        f" candidates, built in {time.time() - t0:.1f}s"
    )
    return HatPlayer(
        words=words,
        vectors=vectors,
        clue_ok=clue_ok,
        guess_ok=guess_ok,
        logfreq_z=logfreq_z,
        hub=hub,
        assoc=top_associations(
            count_model.ppmi, [c_index[w] for w in words], cfg["assoc_top"], cfg["assoc_scale"]
        ),
        is_stop=np.array([w in stop for w in words], dtype=bool),
        word_to_stem=word_to_stem,
        reverse=reverse.tocsr() if reverse is not None else None,
        inv_keys=inv_keys,
        inverse=inverse,
        scoring=dict(cfg["scoring"]),
        meta={"config": {k: v for k, v in cfg.items() if k != "scoring"}},
        listeners=listeners,
        demo_reverse=demo_reverse,
        demo_inverse=demo_inverse,
    )
