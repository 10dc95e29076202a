"""Count-based word vectors: windowed co-occurrence -> PPMI -> truncated SVD.

Pure functions of the tokenized corpus. Both the count baseline and HatPlayer use them, so a
single co-occurrence matrix can be built once per run and shared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd


def build_vocab(counts: Counter[str], min_count: int) -> list[str]:
    """Words with at least min_count occurrences, most frequent first (ties alphabetical so the
    order, and hence every matrix row, is deterministic).
    """
    return [w for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= min_count]


def cooccurrence(
    sentences: Sequence[Sequence[str]], vocab: Sequence[str], window: int, harmonic: bool = True
) -> sp.csr_matrix:
    """Symmetric co-occurrence counts within `window`, weighted 1/distance as in GloVe so near
    neighbours dominate (harmonic=False: plain counts). Out-of-vocabulary tokens are dropped
    before windowing (like word2vec's min_count).
    """
    index = {w: i for i, w in enumerate(vocab)}
    ids_list, sent_list = [], []
    for s_i, sent in enumerate(sentences):
        ids = [index[t] for t in sent if t in index]
        ids_list.extend(ids)
        sent_list.extend([s_i] * len(ids))
    ids = np.asarray(ids_list, dtype=np.int64)
    sid = np.asarray(sent_list, dtype=np.int64)
    n = len(vocab)
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):
        same = sid[d:] == sid[:-d]
        a, b = ids[:-d][same], ids[d:][same]
        w = np.full(a.shape, 1.0 / d if harmonic else 1.0, dtype=np.float32)
        rows += [a, b]
        cols += [b, a]
        vals += [w, w]
    m = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    return m.tocsr()


def ppmi(cooc: sp.csr_matrix, cds_alpha: float = 0.75) -> sp.csr_matrix:
    """Positive PMI with context-distribution smoothing (Levy et al. 2015), which stops rare
    contexts from getting huge PMI values.
    """
    cooc = cooc.tocsr().astype(np.float64)
    total = cooc.sum()
    row = np.asarray(cooc.sum(axis=1)).ravel()
    col = np.asarray(cooc.sum(axis=0)).ravel() ** cds_alpha
    col_p = col / col.sum()
    row_p = row / total
    coo = cooc.tocoo()
    pmi = np.log(coo.data / total) - np.log(row_p[coo.row]) - np.log(col_p[coo.col])
    keep = pmi > 0
    out = sp.csr_matrix(
        (pmi[keep].astype(np.float32), (coo.row[keep], coo.col[keep])), shape=cooc.shape
    )
    return out


def svd_vectors(matrix: sp.csr_matrix, dim: int, power: float = 0.5, seed: int = 0) -> np.ndarray:
    """Truncated SVD embedding U * S**power; power < 1 de-emphasises the top components, which
    helps similarity tasks.
    """
    u, s, _ = randomized_svd(matrix, n_components=dim, n_iter=5, random_state=seed)
    return (u * (s**power)).astype(np.float32)


def normalize_rows(m: np.ndarray) -> np.ndarray:
    """Unit-length rows so a dot product is the cosine; zero rows stay zero."""
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32)
