"""Precomputed explanations: the listener search runs once per likely secret word, at training.

``HatPlayer.explain`` judges a few hundred candidate clues against two listener models, greedily,
which costs milliseconds a word (``benchmarks.hat_player`` times it). A gunicorn worker answers one
request at a time, so under load that cost multiplies into the queue and /explain's latency. The
words a host sends are common words (its lists are the top nouns, verbs and adjectives), so the
stage computes the explanations of the most frequent words here, two processes in parallel, and the
service answers them by lookup.

The table holds ``explain(w, depth)``; for ``n <= depth`` the answer is its first n clues (see
``HatPlayer.explain``). Other words and larger n are computed live by the same code, so the table
changes no answer, only when it is computed.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from pipeline.hat.player import HatPlayer

_CHUNK = 250  # words per task: progress every few seconds, little pickling
_player: HatPlayer | None = None  # the player the forked workers explain with


def table_rows(player: HatPlayer, frequent: int) -> np.ndarray:
    """The `frequent` most frequent rows, sorted: secret words are common words (the host's lists
    of nouns, verbs and adjectives all rank within the corpus's first 2,000), and rarer words,
    computed on the call, still answer within a few milliseconds.
    """
    return np.sort(player.by_freq[:frequent]).astype(np.int32)


def _explain_rows(rows: np.ndarray, depth: int) -> np.ndarray:
    assert _player is not None
    out = np.full((len(rows), depth), -1, dtype=np.int32)
    with threadpool_limits(1):  # one BLAS thread per process: the processes share the cores
        for i, r in enumerate(rows):
            clues = _player.explain_live(_player.words[int(r)], depth)
            out[i, : len(clues)] = [_player.index[c] for c in clues]
    return out


def _explain_chunk(task: tuple[np.ndarray, int]) -> np.ndarray:
    return _explain_rows(*task)


def build(
    player: HatPlayer,
    rows: np.ndarray,
    depth: int,
    processes: int,
    log: Callable[[str], None] = print,
) -> np.ndarray:
    """explain(words[r], depth) for every row r, as clue rows (-1 padded), computed live.

    Worker processes are forked, so they share the player's arrays instead of copying them.
    """
    global _player
    shortlist = int(player.scoring["shortlist"])
    if depth < 1 or 4 * depth > shortlist:
        raise ValueError(
            f"explanation table depth {depth} must be 1..{shortlist // 4} (shortlist / 4), or "
            "explain(w, n) would not be a prefix of explain(w, depth)"
        )
    rows = np.asarray(rows, dtype=np.int32)
    tasks = [(rows[i : i + _CHUNK], depth) for i in range(0, len(rows), _CHUNK)]
    start = time.perf_counter()
    _player = player
    try:
        if processes <= 1 or len(tasks) <= 1:
            parts = [_explain_chunk(t) for t in tasks]
        else:
            parts = []
            with mp.get_context("fork").Pool(processes) as pool:
                done = 0
                for part in pool.imap(_explain_chunk, tasks):  # in order: deterministic
                    parts.append(part)
                    done += len(part)
                    if len(parts) % 10 == 0 or done == len(rows):
                        log(
                            f"  explanations: {done}/{len(rows)} words"
                            f" ({time.perf_counter() - start:.0f}s)"
                        )
    finally:
        _player = None
    return np.concatenate(parts) if parts else np.zeros((0, depth), dtype=np.int32)
