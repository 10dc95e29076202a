"""Frequencies for strings absent from the list: below its rarest entry, in a few levels.

A list of leaked passwords with counts says two things about a string it does not hold: it occurs
less often than the list's rarest entry (the list is the head of the distribution, or all of it),
and nothing more. So an absent string is never predicted above the rarest listed frequency
(censoring), and within that bound the regressor's estimate only decides a few levels, because the
estimate says little about how a one-off string ranks against another: spread out, its noise would
rank another site's one-off strings apart where a tie is closer to the truth.

Three levels (``params.yaml``, ``passwords.tail``): strings the estimate rates common (at least
``promote_above`` per million: they look like listed passwords) sit at ``m`` itself; long strings
it rates rare (below ``demote_below`` per million) look random and get a low level (a meter must
rate a random 16-character string strong whatever list it learned from); the rest share one level
between the two. The thresholds are frequencies, the same for a list's head as for all of it; the
levels are fractions of ``m``, below the list's end whatever it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.config import ConfigError

KEYS = ("promote_above", "demote_below", "demote_min_length", "middle", "low")


@dataclass(frozen=True)
class Tail:
    """The levels of absent strings: thresholds in frequency per million, levels in units of the
    rarest listed frequency ``rarest``.
    """

    rarest: float
    promote_above: float
    demote_below: float
    demote_min_length: float
    middle: float
    low: float

    @classmethod
    def from_params(cls, rarest: float, cfg: dict[str, Any]) -> Tail:
        """The tail of a list whose rarest frequency is ``rarest`` (``passwords.tail``)."""
        missing = [k for k in KEYS if k not in cfg]
        if missing:
            raise ConfigError(f"params.yaml section 'passwords.tail' lacks: {', '.join(missing)}")
        tail = cls(float(rarest), *(float(cfg[k]) for k in KEYS))
        if not (0 < tail.low < tail.middle < 1 and 0 <= tail.demote_below < tail.promote_above):
            raise ConfigError(
                "passwords.tail needs 0 < low < middle < 1 and 0 <= demote_below < promote_above"
            )
        if not (rarest > 0 and np.isfinite(rarest)):
            raise ConfigError(f"the list's rarest frequency must be positive, got {rarest}")
        return tail

    def frequencies(self, estimates: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The served frequency of absent strings from the regressor's estimates and the
        strings' lengths.
        """
        e = np.asarray(estimates, dtype=np.float64)
        level = np.where(e >= self.promote_above, 1.0, self.middle)
        random_like = (e < self.demote_below) & (np.asarray(lengths) >= self.demote_min_length)
        return np.where(random_like, self.low, level) * self.rarest

    def frequency(self, estimate: float, length: int) -> float:
        """:meth:`frequencies` of one string (the service's case), without numpy."""
        if estimate >= self.promote_above:
            return self.rarest
        random_like = estimate < self.demote_below and length >= self.demote_min_length
        return (self.low if random_like else self.middle) * self.rarest

    def frequency_of_log(self, log_estimate: float, length: int) -> float:
        """:meth:`frequency` of the estimate ``max(np.expm1(log_estimate), 0)`` (the regressor
        predicts ``log1p``), the batch path's estimate, for one string.

        Only the estimate's side of each threshold matters here. ``math.expm1`` and numpy's
        (vectorized on some CPUs) differ by a few units in the last place, so ``math.expm1``
        decides wherever it is not within a billionth of a threshold, and numpy's value decides
        there: one numpy call on a scalar cost more than the rest of this under load
        (benchmarks/RESULTS.md). A test checks the two ways agree at and around the thresholds.
        """
        try:
            estimate = math.expm1(log_estimate)
        except OverflowError:
            estimate = math.inf
        for threshold in (self.promote_above, self.demote_below):
            if abs(estimate - threshold) <= max(abs(threshold) * 1e-9, 1e-300):
                estimate = float(np.expm1(log_estimate))
                break
        return self.frequency(estimate if estimate > 0.0 or math.isnan(estimate) else 0.0, length)
