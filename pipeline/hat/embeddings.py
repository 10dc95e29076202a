"""Word2Vec training with a reproducible mode.

Gensim is only needed at training time; the player keeps plain numpy arrays so serving never
imports it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np


def train_word2vec(
    sentences: Sequence[Sequence[str]],
    params: dict[str, Any],
    reproducible: bool = True,
    workers: int = 2,
) -> tuple[list[str], np.ndarray]:
    """Train skip-gram and return (words, vectors); `params` are gensim Word2Vec arguments
    (params.yaml, hat.player.w2v; gensim's own defaults for any left out).

    Reproducible mode uses one worker thread: with several threads the order in which batches
    update the shared weights is nondeterministic. gensim seeds each word's initial vector from
    hash(word + str(seed)) using its own deterministic hash, but PYTHONHASHSEED should still be
    fixed (e.g. PYTHONHASHSEED=0) so that any set/dict iteration upstream is stable.
    """
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    model = Word2Vec(
        sentences=[list(s) for s in sentences] if not isinstance(sentences, list) else sentences,
        workers=1 if reproducible else workers,
        **params,
    )
    words = list(model.wv.index_to_key)
    return words, np.asarray(model.wv.vectors, dtype=np.float32)


def pythonhashseed_is_fixed() -> bool:
    """True when str hashing is deterministic across processes."""
    return os.environ.get("PYTHONHASHSEED", "") not in ("", "random")
