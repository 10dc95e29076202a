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
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce
from itertools import chain, groupby
from operator import add, attrgetter
from typing import Any

import numpy as np

MARKOV_SPECS = (("mk2", 2, False), ("mk3", 3, False), ("mk3w", 3, True), ("mk4", 4, False))
LEET = str.maketrans("4@310$5!7", "aaeiossit")
MISSING = -1.0

_TAIL_NONALPHA = re.compile(r"[^A-Za-z]+$")
_TAIL_DIGITS = re.compile(r"\d+$")
_HEAD_DIGITS = re.compile(r"^\d+")
_NON_LETTER = re.compile(r"[^A-Za-z]")
_NON_DIGIT = re.compile(r"\D")
_NON_LOWER = re.compile(r"[^a-z]")
_TAIL_NONALPHA_OPT = re.compile(r"[^A-Za-z]*$")
_YEAR_TAIL = re.compile(r"(19|20)\d\d$")
_RUNS = re.compile(r"(.)\1*")


_BLAKE2B_8 = hashlib.blake2b(digest_size=8)


def hash64(text: str) -> int:
    """A stable signed 64-bit key for a string (numpy's int64): BLAKE2b with an 8-byte digest.

    Copying a ready hasher is ~30% faster than making one (one served password hashes ~20
    strings).
    """
    hasher = _BLAKE2B_8.copy()
    hasher.update(text.encode("utf-8", "surrogatepass"))
    return int.from_bytes(hasher.digest(), "little", signed=True)


# The regular expressions above define the string transforms. Most passwords are ASCII, where
# the same results come from str methods at a fraction of the cost (~10 us a served password);
# other strings, and strings ending in a newline (before which ``$`` also matches), keep the
# expressions. A test checks the two agree.
_ASCII = "".join(map(chr, range(128)))
_DIGITS = "0123456789"
_ASCII_NON_LETTERS = "".join(_NON_LETTER.findall(_ASCII))
_KEEP_LETTERS = str.maketrans("", "", _ASCII_NON_LETTERS)
_KEEP_DIGITS = str.maketrans("", "", "".join(_NON_DIGIT.findall(_ASCII)))
_KEEP_LOWER = str.maketrans("", "", "".join(_NON_LOWER.findall(_ASCII)))


def _plain(p: str) -> bool:
    return p.isascii() and not p.endswith("\n")


def _strip_tail_nonalpha(p: str) -> str:
    return p.rstrip(_ASCII_NON_LETTERS) if _plain(p) else _TAIL_NONALPHA.sub("", p)


def _tail_nonalpha(p: str) -> str:
    if _plain(p):
        return p[len(p.rstrip(_ASCII_NON_LETTERS)) :]
    return _TAIL_NONALPHA_OPT.search(p).group()  # type: ignore[union-attr]


def _strip_tail_digits(p: str) -> str:
    return p.rstrip(_DIGITS) if _plain(p) else _TAIL_DIGITS.sub("", p)


def _strip_head_digits(p: str) -> str:
    return p.lstrip(_DIGITS) if p.isascii() else _HEAD_DIGITS.sub("", p)


def _letters(p: str) -> str:
    return p.translate(_KEEP_LETTERS) if p.isascii() else _NON_LETTER.sub("", p)


def _digits(p: str) -> str:
    return p.translate(_KEEP_DIGITS) if p.isascii() else _NON_DIGIT.sub("", p)


def _lower_letters(p: str) -> str:
    return p.translate(_KEEP_LOWER) if p.isascii() else _NON_LOWER.sub("", p)


# Transformations whose exact count in the known list is a feature; a transform that leaves the
# password unchanged gives MISSING, which keeps known and unknown passwords on the same footing.
TRANSFORMS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("lower", str.lower),
    ("no_tail_digits", _strip_tail_digits),
    ("no_tail_nonalpha", _strip_tail_nonalpha),
    ("letters", _letters),
    ("digits", _digits),
    ("no_head_digits", _strip_head_digits),
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
    ("fam_tail", "rev", lambda p: _tail_nonalpha(p)[::-1]),
    ("fam_lower", "low", str.lower),
    ("fam_letters", "low", lambda p: _lower_letters(p.lower())),
)

# zxcvbn's ranked word lists (sorted names; checked against zxcvbn when a model is fit)
DICTIONARIES = (
    "english_wikipedia",
    "female_names",
    "male_names",
    "passwords",
    "surnames",
    "us_tv_and_film",
)
DICT_VARIANTS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("lower", str.lower),
    ("letters", lambda p: _lower_letters(p.lower().translate(LEET))),
)


@dataclass
class Dictionaries:
    """zxcvbn's ranked dictionaries as hashes: ``ranks[i, d]`` is the rank of the word hashed
    ``keys[i]`` in ``DICTIONARIES[d]`` (0: not there). Sorted by key for binary search.

    Saved with the model (~3 MB), so serving does not import zxcvbn (~13 MB per process, whose
    other data the features never read) and a model keeps the word lists it was trained with.
    """

    keys: np.ndarray
    ranks: np.ndarray

    @classmethod
    def from_zxcvbn(cls) -> Dictionaries:
        """Index zxcvbn's installed dictionaries."""
        from zxcvbn import matching as zx_matching

        names = tuple(sorted(zx_matching.RANKED_DICTIONARIES))
        if names != DICTIONARIES:
            raise RuntimeError(f"zxcvbn's dictionaries changed: {names}, expected {DICTIONARIES}")
        ranks: dict[int, list[int]] = {}
        for d, name in enumerate(DICTIONARIES):
            for word, rank in zx_matching.RANKED_DICTIONARIES[name].items():
                ranks.setdefault(hash64(word), [0] * len(DICTIONARIES))[d] = int(rank)
        keys = np.fromiter(ranks.keys(), dtype=np.int64, count=len(ranks))
        table = np.array(list(ranks.values()), dtype=np.int32).reshape(-1, len(DICTIONARIES))
        order = np.argsort(keys)
        return cls(keys[order], table[order])

    def log_ranks(self, hashes: np.ndarray) -> list[list[float]]:
        """Per hashed string: log10 of its rank in each dictionary, MISSING where absent."""
        pos = np.minimum(self.keys.searchsorted(hashes), len(self.keys) - 1)
        found = (self.keys[pos] == hashes).tolist()
        rows = self.ranks[pos].tolist()
        empty = [MISSING] * len(DICTIONARIES)
        return [
            [math.log10(r) if r else MISSING for r in row] if hit else empty
            for hit, row in zip(found, rows, strict=True)
        ]


@lru_cache(maxsize=1)
def zxcvbn_dictionaries() -> Dictionaries:
    """The installed zxcvbn's dictionaries (imports zxcvbn; used when a model is fit)."""
    return Dictionaries.from_zxcvbn()


def dictionary_features(p: str, dictionaries: Dictionaries | None = None) -> list[float]:
    """log10 rank of the password (lowercased; letters only, un-leeted) in zxcvbn's dictionaries.

    The dictionaries carry zxcvbn's knowledge (common passwords from other leaks, English words,
    names, film and TV) at the cost of a few lookups, where a full zxcvbn call costs ~0.4 ms.
    """
    table = dictionaries or zxcvbn_dictionaries()
    variants = [variant(p) for _, variant in DICT_VARIANTS]
    logs = table.log_ranks(hash_all(variants))
    out: list[float] = []
    for v, row in zip(variants, logs, strict=True):
        out += row if v else [MISSING] * len(DICTIONARIES)
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


def _char_class(c: str) -> str:
    return "l" if c.islower() else "u" if c.isupper() else "d" if c.isdigit() else "s"


_ASCII_CLASSES = str.maketrans({chr(i): _char_class(chr(i)) for i in range(128)})


def shape_features(p: str) -> list[float]:
    """Character make-up of the password.

    No character is in two of the classes (lower, upper, digit; checked over all of Unicode),
    so the counts are counts of the class names. For an ASCII string one ``translate`` names
    them all at once (most passwords); other strings name them character by character, as a
    table for every Unicode character would be too large.
    """
    classes = p.translate(_ASCII_CLASSES) if p.isascii() else "".join(map(_char_class, p))
    n_lower, n_upper, n_digit = classes.count("l"), classes.count("u"), classes.count("d")
    n_space = p.count(" ")
    n_unique = len(set(p))
    return [
        len(p),
        n_lower,
        n_upper,
        n_digit,
        n_space,
        len(p) - n_lower - n_upper - n_digit - n_space,
        n_unique,
        len(_RUNS.findall(classes)),
        len(p) - len(p.rstrip(_DIGITS)),
        float(bool(_YEAR_TAIL.search(p))),
        float(p.isdigit()),
        1.0 - n_unique / len(p) if p else 0.0,
    ]


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
        if len(self.keys) == 0:
            return np.zeros(len(hashes), dtype=np.int64), np.zeros(len(hashes), dtype=np.int64)
        pos = np.minimum(self.keys.searchsorted(hashes), len(self.keys) - 1)
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
        pos = np.minimum(self.keys.searchsorted(hashes), len(self.keys) - 1)
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
    return np.fromiter((hash64(p) for p in passwords), dtype=np.int64, count=len(passwords))


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


# Column layout of build_features, from feature_names().
N_SHAPE = len(SHAPE_NAMES)
N_DICT = len(DICT_VARIANTS) * len(DICTIONARIES)
N_MARKOV = len(MARKOV_SPECS)
COL_MARKOV = N_SHAPE + N_DICT
COL_KNOWN = COL_MARKOV + 2 * N_MARKOV
COL_FAMILY = COL_KNOWN + len(TRANSFORMS)
# per view: (its prefix function, [(the family's query, its "_n" column)]); "_log_total" is next
_FAMILY_COLUMNS: list[tuple[str, Callable[[str], str], list[tuple[Callable[[str], str], int]]]] = []
_col = COL_FAMILY
for _view, _view_of in VIEWS.items():
    _queries = []
    for _name, _v, _query in FAMILIES:
        if _v == _view:
            _queries.append((_query, _col))
            _col += 2
    _FAMILY_COLUMNS.append((_view, _view_of, _queries))
N_FEATURES = _col
del _col, _view, _view_of, _queries, _name, _v, _query


def build_features(
    passwords: Sequence[str],
    known: KnownList,
    markovs: Sequence[Sequence[Markov]] | Sequence[Markov],
    own_units: np.ndarray | None = None,
    markov_of_row: np.ndarray | None = None,
    dictionaries: Dictionaries | None = None,
) -> np.ndarray:
    """The feature matrix of ``passwords``.

    ``own_units[i]`` > 0 marks a row that belongs to ``known``, whose own contribution is left out
    of its neighbour features. ``markov_of_row[i]`` picks, per row, which set in ``markovs`` scores
    it (the out-of-fold sets in training); without it ``markovs`` is one set for every row.
    ``dictionaries`` defaults to the installed zxcvbn's.

    Per row, the string work is plain Python; the hashed lookups of all rows are batched, one
    binary search per table, so one row costs a few dozen numpy calls whatever the batch size.
    """
    n_rows = len(passwords)
    dicts = dictionaries or zxcvbn_dictionaries()
    own = [0] * n_rows if own_units is None else [int(u) for u in own_units]
    sets = [markovs] * n_rows if markov_of_row is None else [markovs[w] for w in markov_of_row]
    x = np.empty((n_rows, N_FEATURES), dtype=np.float64)
    static: list[list[float]] = []  # shape, Markov log-probabilities
    dict_variants: list[str] = []
    known_q: list[str] = []  # transforms to count, with their flat positions in x
    known_at: list[int] = []
    family_q: dict[str, list[str]] = {view: [] for view in VIEWS}
    family_at: dict[str, list[int]] = {view: [] for view in VIEWS}
    family_own: dict[str, list[int]] = {view: [] for view in VIEWS}
    flat = x.reshape(-1)  # a view: writes go to x
    for r, (p, mks) in enumerate(zip(passwords, sets, strict=True)):
        row = r * N_FEATURES
        static.append(shape_features(p) + markov_log_probs(p, mks))  # type: ignore[arg-type]
        dict_variants += [variant(p) for _, variant in DICT_VARIANTS]
        for col, (_, transform) in enumerate(TRANSFORMS, COL_KNOWN):
            v = transform(p)
            if v == p:
                flat[row + col] = MISSING
            else:
                known_q.append(v)
                known_at.append(row + col)
        for view, view_of, queries in _FAMILY_COLUMNS:
            for query, col in queries:
                q = query(p)
                if q == "":
                    flat[row + col] = flat[row + col + 1] = MISSING
                    continue
                family_q[view].append(q)
                family_at[view].append(row + col)
                # a known row leaves its own contribution out of the families it belongs to
                family_own[view].append(own[r] if own[r] > 0 and view_of(p).startswith(q) else 0)

    shapes = np.array(static, dtype=np.float64).reshape(n_rows, N_SHAPE + N_MARKOV)
    x[:, :N_SHAPE] = shapes[:, :N_SHAPE]
    mk = shapes[:, N_SHAPE:]
    x[:, COL_MARKOV : COL_MARKOV + N_MARKOV] = mk
    x[:, COL_MARKOV + N_MARKOV : COL_KNOWN] = mk / (shapes[:, :1] + 1.0)
    # Dictionary ranks: the empty variant is in no dictionary.
    logs = dicts.log_ranks(hash_all(dict_variants))
    absent = [MISSING] * len(DICTIONARIES)
    ranks = [row if v else absent for v, row in zip(dict_variants, logs, strict=True)]
    x[:, N_SHAPE:COL_MARKOV] = np.array(ranks, dtype=np.float64).reshape(n_rows, N_DICT)
    # Exact counts of the transforms, in one hashed lookup.
    if known_q:
        counts = known.units_of(hash_all(known_q))
        found = counts > 0
        values = np.full(len(counts), MISSING)
        values[found] = np.log(counts[found].astype(np.float64))
        flat[known_at] = values
    # Family sizes, one lookup per view.
    for view in VIEWS:
        if not family_q[view]:
            continue
        n, total = known.prefixes[view].lookup(hash_all(family_q[view]))
        mine = np.array(family_own[view], dtype=np.int64)
        at = np.array(family_at[view], dtype=np.intp)
        flat[at] = (n - (mine > 0)).astype(np.float64)
        flat[at + 1] = np.log1p(np.maximum(total - mine, 0).astype(np.float64))
    return x


_SIGN = 1 << 63  # signed 64-bit key + _SIGN: the same order, as an unsigned number


def _python_view(values: np.ndarray, dtype: type) -> memoryview:
    """The array as a memoryview: its items are Python ints or floats, read without a numpy call.

    The view keeps its array alive; no copy is made when the array already has that type.
    """
    return memoryview(np.ascontiguousarray(values, dtype=dtype))


class HashBuckets:
    """A sorted array of 64-bit hash keys with a directory by their top bits, for single lookups.

    A binary search over 100,000-800,000 keys reads ~18 cache lines per query, one after the
    other; under load they are misses, and one served password makes ~20 such lookups. Hashes are
    uniform, so the top bits of a key say where it sits: the directory holds the first position
    of each top-bits value, and a lookup reads the directory and a run of ~4 keys. Measured on
    RockYou's tables, 20 lookups with cold caches: 50 us as numpy binary searches, 30 us here.
    Results equal ``np.searchsorted`` hits. Built at load (~0.15 MB per 100,000 keys), never saved.
    """

    def __init__(self, keys: np.ndarray, keys_per_bucket: int = 4) -> None:
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        self.bits = max(1, math.ceil(math.log2(max(len(keys) / keys_per_bucket, 2))))
        self._shift = 64 - self.bits
        top = (keys.view(np.uint64) ^ np.uint64(_SIGN)) >> np.uint64(self._shift)
        starts = np.searchsorted(top, np.arange((1 << self.bits) + 1, dtype=np.uint64))
        self._keys = _python_view(keys, np.int64)
        self._starts = _python_view(starts, np.int32 if len(keys) < 2**31 else np.int64)

    def find(self, hashes: list[int]) -> list[int]:
        """Position of each hash among the keys, -1 where absent."""
        keys, starts, shift = self._keys, self._starts, self._shift
        out = []
        for h in hashes:
            b = (h + _SIGN) >> shift
            end = starts[b + 1]
            i = bisect_left(keys, h, starts[b], end)
            out.append(i if i < end and keys[i] == h else -1)
        return out


class ServingTables:
    """The known list, the dictionaries and the n-gram models arranged for one password at a
    time (serving).

    Every table is a :class:`HashBuckets`, and the values beside it are memoryviews, so a lookup
    and its value cost no numpy call: one served password reads five tables ~20 times. Counts
    are held as the logs the features use (``log_units``, and the last item of each
    ``prefixes`` entry), taken here by the batch path's ufuncs: the same floats, without two
    numpy calls per password.
    """

    def __init__(
        self, known: KnownList, dictionaries: Dictionaries, markovs: Sequence[Markov]
    ) -> None:
        self.markovs = MarkovGroup.of(markovs)
        self.known = HashBuckets(known.keys)
        self.log_units = _python_view(np.log(known.units.astype(np.float64)), np.float64)
        self.frequencies = _python_view(known.frequencies, np.float64)
        self.dictionaries = HashBuckets(dictionaries.keys)
        self.ranks = _python_view(dictionaries.ranks.reshape(-1), np.int32)  # row-major
        self.prefixes = {
            view: (
                HashBuckets(index.keys),
                _python_view(index.n, np.int64),
                _python_view(np.log1p(np.maximum(index.total, 0).astype(np.float64)), np.float64),
            )
            for view, index in known.prefixes.items()
        }

    def frequency(self, key: int) -> float | None:
        """The known frequency of one hashed password, None when unknown."""
        (i,) = self.known.find([key])
        return self.frequencies[i] if i >= 0 else None


def features_one(p: str, tables: ServingTables) -> list[float]:
    """``build_features([p], known, markovs, dictionaries=dictionaries)[0]``, for serving.

    The same values (a test compares them on thousands of strings), computed for one unknown
    string with bucketed lookups (:class:`ServingTables`) instead of the batch path's array
    bookkeeping, and returned as a list: :meth:`FlatForest.predict_one` takes it as it is.
    """
    variants = [variant(p) for _, variant in DICT_VARIANTS]
    asked = [(col, v) for col, (_, transform) in enumerate(TRANSFORMS) if (v := transform(p)) != p]
    families = [[query(p) for query, _ in queries] for _, _, queries in _FAMILY_COLUMNS]
    # Each distinct string hashed once: p.lower() alone is a dictionary variant, a transform
    # and a family prefix.
    key = {s: hash64(s) for s in {*variants, *(v for _, v in asked), *chain(*families)}}

    out: list[float] = shape_features(p)
    width = len(DICTIONARIES)
    hits = tables.dictionaries.find([key[v] for v in variants])
    for v, i in zip(variants, hits, strict=True):
        if v and i >= 0:
            ranks = tables.ranks[i * width : (i + 1) * width].tolist()
            out += [math.log10(r) if r else MISSING for r in ranks]
        else:
            out += [MISSING] * width
    mk = []
    for group in tables.markovs:
        mk += group.scores(padded_grams(p, group.order))
    chars = float(len(p)) + 1.0
    out += mk
    out += [v / chars for v in mk]
    # Transforms: the log of each changed string's count in the known list.
    logs = [MISSING] * len(TRANSFORMS)
    log_units = tables.log_units
    for (col, _), i in zip(asked, tables.known.find([key[v] for _, v in asked]), strict=True):
        if i >= 0:
            logs[col] = log_units[i]
    out += logs
    # Families: per view, the size and log count sum of each non-empty prefix's family.
    for (view, _, _), prefixes in zip(_FAMILY_COLUMNS, families, strict=True):
        index, n, log_total = tables.prefixes[view]
        for q, i in zip(prefixes, index.find([key[q] for q in prefixes]), strict=True):
            if q == "":
                out += [MISSING, MISSING]
            elif i >= 0:
                out += [float(n[i]), log_total[i]]
            else:
                out += [0.0, 0.0]
    return out
