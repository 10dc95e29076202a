"""Features of a password, learned from a list of known passwords and their counts.

Three kinds of evidence, all computed the same way in training and in serving:

* shape: length, character classes, runs, a trailing year, rank in zxcvbn's dictionaries;
* character n-gram language models of the known list (how "password-like" the string is);
* neighbours in the known list: how often a transformed version occurs (``Monkey12`` -> ``monkey``)
  and how many known passwords extend it (``monkey`` is the start of ``monkey1``, ``monkey12`` ...).

The known list is held by 64-bit hashes, not in clear, so a saved model does not ship a plaintext
list of leaked passwords. (The model is a frequency oracle all the same: a dictionary attack on it
works as on any such model; the hashing only keeps the list itself out of artifacts and images.)

A password of the known list must not see itself: its neighbour features leave its own row out
(exact integer arithmetic, so no rounding residue can leak the count) and its n-gram scores come
from models fit on the other folds.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from zxcvbn import matching as zx_matching

MARKOV_SPECS = (("mk2", 2, False), ("mk3", 3, False), ("mk3w", 3, True), ("mk4", 4, False))
LEET = str.maketrans("4@310$5!7", "aaeiossit")
MISSING = -1.0


def hash64(text: str) -> int:
    """A stable signed 64-bit key for a string (numpy's int64)."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _strip_tail_nonalpha(p: str) -> str:
    return re.sub(r"[^A-Za-z]+$", "", p)


# Transformations whose exact count in the known list is a feature; a transform that leaves the
# password unchanged gives MISSING, which keeps known and unknown passwords on the same footing.
TRANSFORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("lower", str.lower),
    ("no_tail_digits", lambda p: re.sub(r"\d+$", "", p)),
    ("no_tail_nonalpha", _strip_tail_nonalpha),
    ("letters", lambda p: re.sub(r"[^A-Za-z]", "", p)),
    ("digits", lambda p: re.sub(r"\D", "", p)),
    ("no_head_digits", lambda p: re.sub(r"^\d+", "", p)),
    ("drop_last", lambda p: p[:-1]),
    ("drop_first", lambda p: p[1:]),
    ("unleet", lambda p: p.lower().translate(LEET)),
    ("reversed", lambda p: p[::-1]),
    ("half", lambda p: p[: len(p) // 2] if len(p) % 2 == 0 else p),
)

# Views of the known list in which families (all known strings starting with a prefix) are counted.
VIEWS: dict[str, Callable[[str], str]] = {
    "fwd": lambda p: p,
    "rev": lambda p: p[::-1],
    "low": str.lower,
}

# (feature name, view, the prefix queried in that view)
FAMILIES: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("fam", "fwd", lambda p: p),
    ("fam_base", "fwd", _strip_tail_nonalpha),
    ("fam_suffix", "rev", lambda p: p[::-1]),
    ("fam_tail", "rev", lambda p: re.search(r"[^A-Za-z]*$", p).group()[::-1]),  # type: ignore[union-attr]
    ("fam_lower", "low", str.lower),
    ("fam_letters", "low", lambda p: re.sub(r"[^a-z]", "", p.lower())),
)

DICTIONARIES = tuple(sorted(zx_matching.RANKED_DICTIONARIES))  # zxcvbn's ranked word lists
DICT_VARIANTS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("lower", str.lower),
    ("letters", lambda p: re.sub(r"[^a-z]", "", p.lower().translate(LEET))),
)


def dictionary_features(p: str) -> list[float]:
    """log10 rank of the password (lowercased; letters only, un-leeted) in zxcvbn's dictionaries.

    The dictionaries carry zxcvbn's knowledge (common passwords from other leaks, English words,
    names, film and TV) at the cost of a few dict lookups, where a full zxcvbn call costs ~0.4 ms.
    """
    out = []
    for _, variant in DICT_VARIANTS:
        v = variant(p)
        for name in DICTIONARIES:
            rank = zx_matching.RANKED_DICTIONARIES[name].get(v) if v else None
            out.append(math.log10(rank) if rank else MISSING)
    return out


SHAPE_NAMES = (
    "length",
    "n_lower",
    "n_upper",
    "n_digit",
    "n_space",
    "n_other",
    "n_unique",
    "n_class_runs",
    "tail_digits",
    "year_tail",
    "all_digits",
    "repeat_ratio",
)


def shape_features(p: str) -> list[float]:
    """Character make-up of the password."""
    n_lower = sum(c.islower() for c in p)
    n_upper = sum(c.isupper() for c in p)
    n_digit = sum(c.isdigit() for c in p)
    n_space = p.count(" ")
    classes = "".join(
        "l" if c.islower() else "u" if c.isupper() else "d" if c.isdigit() else "s" for c in p
    )
    runs = len(re.findall(r"(.)\1*", classes))
    tail = len(p) - len(p.rstrip("0123456789"))
    return [
        len(p),
        n_lower,
        n_upper,
        n_digit,
        n_space,
        len(p) - n_lower - n_upper - n_digit - n_space,
        len(set(p)),
        runs,
        tail,
        float(bool(re.search(r"(19|20)\d\d$", p))),
        float(p.isdigit()),
        1.0 - len(set(p)) / len(p) if p else 0.0,
    ]


@dataclass
class Markov:
    """A character n-gram model with add-alpha smoothing, trained on a list of passwords."""

    order: int
    grams: dict[str, float]
    contexts: dict[str, float]
    alpha: float = 0.5
    alphabet: int = 100

    @classmethod
    def fit(cls, passwords: Sequence[str], weights: Sequence[float], order: int) -> Markov:
        """Count n-grams, padded so a password's start and end are modelled too."""
        grams: Counter[str] = Counter()
        contexts: Counter[str] = Counter()
        pad = "\x02" * (order - 1)
        for p, w in zip(passwords, weights, strict=True):
            s = pad + p + "\x03"
            for i in range(order - 1, len(s)):
                g = s[i - order + 1 : i + 1]
                grams[g] += w
                contexts[g[:-1]] += w
        return cls(order, dict(grams), dict(contexts))

    def log_prob(self, p: str) -> float:
        """Natural log-probability of the whole string under the model."""
        s = "\x02" * (self.order - 1) + p + "\x03"
        a, v = self.alpha, self.alpha * self.alphabet
        total = 0.0
        for i in range(self.order - 1, len(s)):
            g = s[i - self.order + 1 : i + 1]
            total += math.log((self.grams.get(g, 0.0) + a) / (self.contexts.get(g[:-1], 0.0) + v))
        return total


def fit_markovs(passwords: Sequence[str], counts: Sequence[float]) -> list[Markov]:
    """The n-gram models of ``MARKOV_SPECS``: unweighted (shape) and log-count weighted (use)."""
    log_w = [math.log(c) + 1.0 for c in counts]
    ones = [1.0] * len(passwords)
    return [Markov.fit(passwords, log_w if w else ones, order) for _, order, w in MARKOV_SPECS]


@dataclass
class PrefixIndex:
    """Family sizes: per prefix of the known strings, how many start with it and their count sum.

    Keys are hashes, sorted for binary search.
    """

    keys: np.ndarray
    n: np.ndarray
    total: np.ndarray

    @classmethod
    def build(cls, strings: Sequence[str], counts: Sequence[int]) -> PrefixIndex:
        """Index every prefix of every string."""
        n: Counter[int] = Counter()
        total: Counter[int] = Counter()
        for s, c in zip(strings, counts, strict=True):
            for i in range(1, len(s) + 1):
                k = hash64(s[:i])
                n[k] += 1
                total[k] += c
        keys = np.fromiter(n.keys(), dtype=np.int64, count=len(n))
        order = np.argsort(keys)
        return cls(
            keys[order],
            np.fromiter(n.values(), dtype=np.int64, count=len(n))[order],
            np.fromiter(total.values(), dtype=np.int64, count=len(n))[order],
        )

    def lookup(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Family size and count sum for each hashed prefix; zeros where nothing starts so."""
        pos = np.searchsorted(self.keys, hashes)
        pos = np.minimum(pos, len(self.keys) - 1)
        found = self.keys[pos] == hashes
        return np.where(found, self.n[pos], 0), np.where(found, self.total[pos], 0)


@dataclass
class KnownList:
    """The known passwords as hashes: exact frequencies, integer weights and prefix families.

    ``units`` are frequencies in integer thousandths per million, so that leaving a row out of a
    family is exact integer arithmetic.
    """

    keys: np.ndarray
    units: np.ndarray
    frequencies: np.ndarray
    prefixes: dict[str, PrefixIndex]

    @classmethod
    def build(cls, passwords: Sequence[str], frequencies: Sequence[float]) -> KnownList:
        """Hash the list and index its prefixes in every view."""
        freqs = np.asarray(frequencies, dtype=np.float64)
        units = to_units(freqs)
        keys = np.array([hash64(p) for p in passwords], dtype=np.int64).reshape(-1)
        order = np.argsort(keys)
        prefixes = {
            view: PrefixIndex.build([f(p) for p in passwords], units.tolist())
            for view, f in VIEWS.items()
        }
        return cls(keys[order], units[order], freqs[order], prefixes)

    def _positions(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(self.keys) == 0:
            return np.zeros(len(hashes), dtype=np.int64), np.zeros(len(hashes), dtype=bool)
        pos = np.minimum(np.searchsorted(self.keys, hashes), len(self.keys) - 1)
        return pos, self.keys[pos] == hashes

    def units_of(self, hashes: np.ndarray) -> np.ndarray:
        """The weight of each hashed password, 0 when unknown."""
        pos, found = self._positions(hashes)
        return np.where(found, self.units[pos] if len(self.units) else 0, 0)

    def frequency_of(self, hashes: np.ndarray) -> np.ndarray:
        """The known frequency per million of each hashed password, NaN when unknown."""
        pos, found = self._positions(hashes)
        return np.where(found, self.frequencies[pos] if len(self.frequencies) else 0.0, np.nan)


def to_units(frequencies: np.ndarray) -> np.ndarray:
    """Frequencies per million as integer thousandths (at least 1: a listed password occurs)."""
    return np.maximum(np.rint(np.asarray(frequencies) * 1000.0), 1).astype(np.int64)


def hash_all(passwords: Sequence[str]) -> np.ndarray:
    """``hash64`` of each password, as an int64 array."""
    return np.array([hash64(p) for p in passwords], dtype=np.int64).reshape(-1)


def feature_names() -> list[str]:
    """Column names, in the order of :func:`build_features`."""
    names = list(SHAPE_NAMES)
    names += [f"dict_{v}_{d}" for v, _ in DICT_VARIANTS for d in DICTIONARIES]
    names += [name for name, _, _ in MARKOV_SPECS]
    names += [f"mk_per_char_{name}" for name, _, _ in MARKOV_SPECS]
    names += [f"known_{name}" for name, _ in TRANSFORMS]
    for view in VIEWS:
        for name, v, _ in FAMILIES:
            if v == view:
                names += [f"{name}_n", f"{name}_log_total"]
    return names


def build_features(
    passwords: Sequence[str],
    known: KnownList,
    markovs: Sequence[Sequence[Markov]] | Sequence[Markov],
    own_units: np.ndarray | None = None,
    markov_of_row: np.ndarray | None = None,
) -> np.ndarray:
    """The feature matrix of ``passwords``.

    ``own_units[i]`` > 0 marks a row that belongs to ``known``, whose own contribution is left out
    of its neighbour features. ``markov_of_row[i]`` picks, per row, which set in ``markovs`` scores
    it (the out-of-fold sets in training); without it ``markovs`` is one set for every row.
    """
    n_rows = len(passwords)
    own = np.zeros(n_rows, dtype=np.int64) if own_units is None else own_units.astype(np.int64)
    sets = [markovs] if markov_of_row is None else markovs
    which = np.zeros(n_rows, dtype=np.int64) if markov_of_row is None else markov_of_row
    cols: list[np.ndarray] = []
    shapes = np.array([shape_features(p) for p in passwords], dtype=np.float64)
    shapes = shapes.reshape(n_rows, len(SHAPE_NAMES))
    dicts = np.array([dictionary_features(p) for p in passwords], dtype=np.float64)
    cols += [shapes, dicts.reshape(n_rows, len(DICT_VARIANTS) * len(DICTIONARIES))]
    lengths = shapes[:, 0] + 1.0
    mk = np.array(
        [[m.log_prob(p) for m in sets[w]] for p, w in zip(passwords, which, strict=True)],  # type: ignore[union-attr]
        dtype=np.float64,
    ).reshape(n_rows, len(MARKOV_SPECS))
    cols += [mk, mk / lengths[:, None]]
    # Exact counts of every transform of every row, in one hashed lookup.
    variants = [transform(p) for _, transform in TRANSFORMS for p in passwords]
    counts = known.units_of(hash_all(variants)).reshape(len(TRANSFORMS), n_rows)
    same = np.array(
        [v == p for v, p in zip(variants, list(passwords) * len(TRANSFORMS), strict=True)],
        dtype=bool,
    ).reshape(len(TRANSFORMS), n_rows)
    cols.append(np.where(same | (counts == 0), MISSING, np.log(np.maximum(counts, 1))).T)
    # Family sizes, one lookup per view; a known row leaves its own contribution out.
    for view, view_of in VIEWS.items():
        queries = [(name, query) for name, v, query in FAMILIES if v == view]
        prefixes = [query(p) for _, query in queries for p in passwords]
        n, total = known.prefixes[view].lookup(hash_all(prefixes))
        owners = list(passwords) * len(queries)
        contains_self = np.array(
            [view_of(p).startswith(q) for p, q in zip(owners, prefixes, strict=True)], dtype=bool
        ) & np.tile(own > 0, len(queries))
        n = n - contains_self
        total = total - np.where(contains_self, np.tile(own, len(queries)), 0)
        empty = np.array([q == "" for q in prefixes], dtype=bool)
        n_col = np.where(empty, MISSING, n).astype(np.float64).reshape(len(queries), n_rows)
        t_col = np.where(empty, MISSING, np.log1p(np.maximum(total, 0))).reshape(
            len(queries), n_rows
        )
        for i in range(len(queries)):
            cols += [n_col[i][:, None], t_col[i][:, None]]
    return np.hstack(cols)
