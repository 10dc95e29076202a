"""How many guesses a password would take: its expected rank in the leak's frequency order.

An attacker who tries leaked passwords from the most common down reaches a listed password after the
rows more frequent than it, and, among the rows as frequent as it, after half of them on average:
its expected rank. A string the list does not hold is rarer than the list's rarest entry, so it
comes after the whole list; how far after is extrapolated by the rank-frequency law of the list's
own tail: leaked passwords follow a power law, the number of passwords at least as frequent as f
grows as ``f ** -b``, and ``b`` is fitted on the rarest part of the list (``log N(>= f)`` against
``log f`` over its rarest distinct frequencies), so a string predicted ten times rarer than the
list's end sits about ``10 ** b`` times further than the list's size.

Guesses are a strictly decreasing function of the served frequency (between two listed
frequencies the rank is interpolated), so they order passwords exactly as the frequency does (the
same Spearman on any leak), and listed passwords get their expected rank in the list.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

TAIL_SHARE = 0.5  # the rarest rows the rank-frequency law is fitted on
MIN_GROUPS = 8  # at least this many of the rarest distinct frequencies in that fit
DEFAULT_EXPONENT = 1.0  # Zipf's, when the list has too few distinct frequencies to fit one
MAX_GUESSES = 1e30  # beyond any attacker; keeps the number finite (JSON has no infinity)


@dataclass(frozen=True)
class RankTable:
    """Per distinct listed frequency (descending): the rows above it and the rows at it."""

    frequencies: np.ndarray
    above: np.ndarray
    ties: np.ndarray
    rows: int
    exponent: float

    @classmethod
    def build(cls, frequencies: np.ndarray) -> RankTable:
        """The table of a list's frequencies (one per listed row)."""
        values, ties = np.unique(np.asarray(frequencies, dtype=np.float64), return_counts=True)
        values, ties = values[::-1], ties[::-1]  # most frequent first
        above = np.concatenate([[0], np.cumsum(ties)[:-1]])
        reached = above + ties  # rows at least as frequent: the rank-frequency law's N(>= f)
        rows = int(ties.sum())
        rare = reached >= rows * (1 - TAIL_SHARE)  # the groups of the rarest rows ...
        rare[-MIN_GROUPS:] = True  # ... and a few more where one count holds most rows
        exponent = DEFAULT_EXPONENT
        if rare.sum() >= 2:
            slope = float(np.polyfit(np.log(values[rare]), np.log(reached[rare]), 1)[0])
            exponent = -slope if slope < 0 else DEFAULT_EXPONENT
        return cls(values, above.astype(np.int64), ties.astype(np.int64), rows, exponent)

    @cached_property
    def _lists(self) -> tuple[list[float], list[float], list[float]]:
        """Negated frequencies, frequencies and expected ranks as Python lists: one password's
        lookup is a ``bisect`` with no array built (not saved: see ``__getstate__``).
        """
        return (
            (-self.frequencies).tolist(),
            self.frequencies.tolist(),
            self.expected_ranks().tolist(),
        )

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_lists"}

    def guesses(self, frequency: float) -> float:
        """The expected number of guesses to reach a password of this served frequency."""
        negated, values, ranks = self._lists
        if not values:
            return 1.0
        rarest = values[-1]
        if frequency < rarest:  # not listed: after the whole list, by the tail's power law
            if frequency <= 0:
                return MAX_GUESSES
            return min(self.rows * (rarest / frequency) ** self.exponent, MAX_GUESSES)
        # listed frequencies are descending: the group at or just above this frequency
        at = bisect_right(negated, -frequency) - 1
        if at < 0:  # more common than the list's most common password
            return 1.0
        rank = ranks[at]
        if frequency == values[at] or at + 1 >= len(values):
            return rank
        # between two listed frequencies (an estimate, not a listed answer): log-log
        # interpolation between their ranks, so a rarer password always takes more guesses
        upper, lower = values[at], values[at + 1]
        share = math.log(upper / frequency) / math.log(upper / lower)
        return math.exp(math.log(rank) + share * (math.log(ranks[at + 1]) - math.log(rank)))

    def expected_ranks(self) -> np.ndarray:
        """Each listed frequency's expected rank: the rows above it and half of its ties."""
        return self.above + (self.ties + 1) / 2.0

    def many(self, frequencies: np.ndarray) -> np.ndarray:
        """:meth:`guesses` of each frequency, vectorized (the same numbers)."""
        f = np.asarray(frequencies, dtype=np.float64)
        out = np.ones(len(f))
        if not len(self.frequencies):
            return out
        ranks = self.expected_ranks()
        rarest = float(self.frequencies[-1])
        beyond = f < rarest
        with np.errstate(divide="ignore", over="ignore"):
            far = self.rows * (rarest / np.where(f[beyond] > 0, f[beyond], np.nan)) ** self.exponent
        out[beyond] = np.where(np.isnan(far), MAX_GUESSES, np.minimum(far, MAX_GUESSES))
        inside = ~beyond
        at = np.searchsorted(-self.frequencies, -f[inside], side="right") - 1
        top = at < 0
        at = np.maximum(at, 0)
        got = ranks[at]
        between = (~top) & (f[inside] != self.frequencies[at]) & (at + 1 < len(self.frequencies))
        if between.any():
            a = at[between]
            upper, lower = self.frequencies[a], self.frequencies[a + 1]
            share = np.log(upper / f[inside][between]) / np.log(upper / lower)
            got[between] = np.exp(
                np.log(ranks[a]) + share * (np.log(ranks[a + 1]) - np.log(ranks[a]))
            )
        got[top] = 1.0
        out[inside] = got
        return out

    def group_of(self, listed: np.ndarray) -> np.ndarray:
        """The index of each listed frequency's group (the nearest, for float round trips)."""
        x = np.asarray(listed, dtype=np.float64)
        right = np.searchsorted(-self.frequencies, -x, side="left")
        right = np.minimum(right, len(self.frequencies) - 1)
        left = np.maximum(right - 1, 0)
        pick = np.where(
            np.abs(self.frequencies[left] - x) < np.abs(self.frequencies[right] - x), left, right
        )
        if np.any(np.abs(self.frequencies[pick] - x) > 1e-9 * np.maximum(x, 1e-300)):
            raise ValueError("a row's listed frequency is not in the rank table")
        return pick

    def within_factor(
        self,
        listed: np.ndarray,
        guesses: np.ndarray,
        factor: float = 2.0,
        weights: np.ndarray | None = None,
    ) -> float:
        """The share of listed rows whose ``guesses`` are within ``factor`` of their true rank.

        ``listed`` are rows' listed frequencies and ``guesses`` the served estimates for them. A
        row's true rank is its position in the list's order; rows as frequent as one another
        share the positions of their group in no known order, so each row counts the share of
        its group's positions within the factor of its estimate (over all rows of a list this is
        exactly the share of positions). ``weights``: the rows each row stands for, when they
        are a sample.
        """
        at = self.group_of(listed)
        first = self.above[at] + 1.0
        last = (self.above[at] + self.ties[at]).astype(np.float64)
        g = np.asarray(guesses, dtype=np.float64)
        low = np.maximum(first, np.ceil(g / factor))
        high = np.minimum(last, np.floor(g * factor))
        covered = np.clip(high - low + 1.0, 0.0, None) / self.ties[at]
        return float(np.average(covered, weights=weights)) if len(covered) else float("nan")


def in_words(guesses: float) -> str:
    """``about 3 thousand guesses``, ``about 12 million guesses``: for people."""
    if not math.isfinite(guesses) or guesses >= MAX_GUESSES:
        return "more guesses than anyone can make"
    if guesses < 1.5:
        return "the first guess"
    if guesses < 1000:
        return f"about {round(guesses):,} guesses"
    for scale, name in (
        (1e15, "quadrillion"),
        (1e12, "trillion"),
        (1e9, "billion"),
        (1e6, "million"),
        (1e3, "thousand"),
    ):
        if guesses >= scale:
            value = guesses / scale
            shown = f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")
            if scale == 1e15 and value >= 1000:
                return f"about 10^{math.log10(guesses):.0f} guesses"
            return f"about {shown} {name} guesses"
    return f"about {round(guesses):,} guesses"  # pragma: no cover - covered above
