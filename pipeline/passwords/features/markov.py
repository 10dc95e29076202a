"""Character n-gram models of the known list: how "password-like" a string is, as a
log-probability under models of orders 2 to 4, unweighted (shape) and log-count weighted (use).

Rows of the known list are scored by models fit on the other folds (the model's fit picks the
set per row), so a listed password never sees its own n-grams.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import groupby
from operator import add, attrgetter
from typing import Any

import numpy as np

# (name, order, weighted by log count)
MARKOV_SPECS = (("mk2", 2, False), ("mk3", 3, False), ("mk3w", 3, True), ("mk4", 4, False))
NAMES = tuple(name for name, _, _ in MARKOV_SPECS) + tuple(
    f"mk_per_char_{name}" for name, _, _ in MARKOV_SPECS
)


@dataclass
class Markov:
    """A character n-gram model with add-alpha smoothing, trained on a list of passwords.

    Holds log-probabilities, not counts: ``log_probs[g]`` for every n-gram seen in training,
    ``unseen[c]`` for an unseen n-gram after a seen context ``c``, and ``default`` for an unseen
    context, each computed once by the formula a per-call computation would use (same floats).
    """

    order: int
    log_probs: dict[str, float]
    unseen: dict[str, float]
    default: float

    @classmethod
    def fit(
        cls,
        passwords: Sequence[str],
        weights: Sequence[float],
        order: int,
        alpha: float = 0.5,
        alphabet: int = 100,
    ) -> Markov:
        """Count n-grams, padded so a password's start and end are modelled too."""
        grams: Counter[str] = Counter()
        contexts: Counter[str] = Counter()
        for p, w in zip(passwords, weights, strict=True):
            for g in padded_grams(p, order):
                grams[g] += w
                contexts[g[:-1]] += w
        a, v = alpha, alpha * alphabet
        log_probs = {g: math.log((n + a) / (contexts[g[:-1]] + v)) for g, n in grams.items()}
        unseen = {c: math.log((0.0 + a) / (n + v)) for c, n in contexts.items()}
        return cls(order, log_probs, unseen, math.log((0.0 + a) / (0.0 + v)))

    def score(self, grams: list[str]) -> float:
        """Natural log-probability of a string from its :func:`padded_grams` (which models of one
        order share; :func:`markov_log_probs` scores a string under several models).

        Summed left to right (``reduce``, not ``sum``, whose rounding changed in Python 3.12), so
        every version gives the floats the model was trained on.
        """
        return reduce(add, _terms(grams, self.log_probs, self.unseen, self.default), 0.0)


def _terms(grams: list[str], seen: dict[str, Any], unseen: dict[str, Any], default: Any) -> list:
    """Each n-gram's term: its own value when seen in training, else its context's unseen value,
    else the default. The one rule for a model (floats) and a :class:`MarkovGroup` (tuples).
    """
    seen_get, unseen_get = seen.get, unseen.get
    return [t if (t := seen_get(g)) is not None else unseen_get(g[:-1], default) for g in grams]


def padded_grams(p: str, order: int) -> list[str]:
    """The n-grams a model of ``order`` scores ``p`` by, padded as in :meth:`Markov.fit`."""
    s = "\x02" * (order - 1) + p + "\x03"
    return [s[i : i + order] for i in range(len(s) - order + 1)]


def markov_log_probs(p: str, markovs: Sequence[Markov]) -> list[float]:
    """Each model's log-probability of ``p``; models of one order (mk3, mk3w) share its n-grams."""
    grams: dict[int, list[str]] = {}
    out = []
    for m in markovs:
        if m.order not in grams:
            grams[m.order] = padded_grams(p, m.order)
        out.append(m.score(grams[m.order]))
    return out


@dataclass
class MarkovGroup:
    """Models of one order fit on the same strings (mk3 and mk3w differ only by weights), scored
    together for serving: their n-grams and contexts are the same keys, so one lookup per n-gram
    gives every model's term, where separate models take one each. Built at load, not saved.

    A group of one model uses that model's own tables (its terms are floats, not tuples).
    """

    order: int
    width: int  # how many models: terms are tuples of this many floats, or floats when 1
    seen: dict[str, Any]
    unseen: dict[str, Any]
    default: Any

    @classmethod
    def of(cls, models: Sequence[Markov]) -> list[MarkovGroup]:
        """The groups scoring ``models``, in their order: each run of one order with the same
        keys is one group; a model whose keys differ from its neighbours' stays alone.
        """
        groups = []
        for order, run in groupby(models, key=attrgetter("order")):
            together = list(run)
            first = together[0]
            if len(together) > 1 and all(
                m.log_probs.keys() == first.log_probs.keys()
                and m.unseen.keys() == first.unseen.keys()
                for m in together
            ):
                groups.append(
                    cls(
                        order,
                        len(together),
                        {g: tuple(m.log_probs[g] for m in together) for g in first.log_probs},
                        {c: tuple(m.unseen[c] for m in together) for c in first.unseen},
                        tuple(m.default for m in together),
                    )
                )
            else:
                groups += [cls(m.order, 1, m.log_probs, m.unseen, m.default) for m in together]
        return groups

    def scores(self, grams: list[str]) -> list[float]:
        """Each model's :meth:`Markov.score` of ``grams``: the same terms summed in the same
        order, so the same floats.
        """
        terms = _terms(grams, self.seen, self.unseen, self.default)
        if self.width == 1:
            return [reduce(add, terms, 0.0)]
        return [reduce(add, column, 0.0) for column in zip(*terms, strict=True)]


def fit_markovs(
    passwords: Sequence[str], counts: Sequence[float], rows: Sequence[float] | None = None
) -> list[Markov]:
    """The n-gram models of ``MARKOV_SPECS``: unweighted (shape) and log-count weighted (use).

    ``rows``: how many rows of the whole list each password stands for (a sampled list); by
    default one each.
    """
    log_w = [math.log(c) + 1.0 for c in counts]
    ones = [1.0] * len(passwords)
    if rows is not None and any(r != 1.0 for r in rows):
        log_w = [w * r for w, r in zip(log_w, rows, strict=True)]
        ones = list(rows)
    return [Markov.fit(passwords, log_w if w else ones, order) for _, order, w in MARKOV_SPECS]


def batch(passwords: Sequence[str], sets: Sequence[Sequence[Markov]]) -> np.ndarray:
    """Each password's log-probability under its set of models, and the same per character
    (divided by length + 1, the end marker included). ``sets[i]`` scores ``passwords[i]``.
    """
    mk = np.array(
        [markov_log_probs(p, mks) for p, mks in zip(passwords, sets, strict=True)],
        dtype=np.float64,
    ).reshape(len(passwords), len(MARKOV_SPECS))
    lengths = np.array([len(p) for p in passwords], dtype=np.float64).reshape(-1, 1)
    return np.hstack([mk, mk / (lengths + 1.0)])


def one(p: str, groups: Sequence[MarkovGroup]) -> list[float]:
    """:func:`batch` for one password, scored by the serving groups of one set of models."""
    mk: list[float] = []
    for group in groups:
        mk += group.scores(padded_grams(p, group.order))
    chars = float(len(p)) + 1.0
    return mk + [v / chars for v in mk]
