"""HatPlayer: the serving side of the Hat bot.

Only numpy and the standard library are imported here so that a gunicorn worker stays small:
the model is a unit-normalised float32 matrix over a limited vocabulary plus a few per-word
arrays, and explain/guess are one matrix-vector product followed by cheap filtering.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.hat.stems import StemIndex

_NON_LETTERS = re.compile(r"[\W\d_]")

SCORING_DEFAULTS: dict[str, float] = {
    # explain: score = cos(target, clue) - hub_e * hub(clue) + freq_e * logfreq_z(clue)
    #                  + assoc_e * ppmi(target, clue)
    "hub_e": 1.0,
    "freq_e": 0.0,
    "assoc_e": 0.0,
    # guess: score = sum_k w_k [cos(clue_k, cand) + assoc_g * ppmi(clue_k, cand)] / sum_k w_k
    #                - hub_g * hub(cand) + freq_g * logfreq_z(cand) - stop_g * is_stop(cand)
    "hub_g": 1.0,
    "freq_g": 0.03,
    "assoc_g": 0.1,
    "stop_g": 0.1,  # stop words are rarely the secret, but verbs like 'give' are stop words
    "decay": 0.85,  # weight of clue k is decay**k: explainers put their best clue first
    "shortlist": 200,
    # theory of mind for naive bots (see hat/naive.py):
    # explain: + rev_e * reverse[target, clue]  (clue's own neighbours contain the target)
    "rev_e": 0.15,
    "rev_e1": 1.0,  # the same for the first clue (a naive guesser's best chance is round 1)
    # guess:   + inv_g * sum_k w_k inverse[clue_k, cand]  (cand's naive explanation has clue_k)
    "inv_g": 0.1,
}


def normalize_word(word: str) -> str:
    """The host's own normalisation (lowercase, letters only), so lookups match what it sends."""
    return _NON_LETTERS.sub("", str(word).lower())


def _edit_distance(a: str, b: str) -> int:
    """Plain Levenshtein distance (equal to nltk's edit_distance with default arguments)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@dataclass(frozen=True)
class Csr:
    """The three arrays of a CSR matrix, so serving needs no scipy."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray


def _empty_csr(n_rows: int) -> Csr:
    return Csr(np.zeros(n_rows + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))


def _csr_arrays(m: Any) -> Csr:
    return Csr(
        np.asarray(m.indptr, dtype=np.int64),
        np.asarray(m.indices, dtype=np.int32),
        np.asarray(m.data, dtype=np.float32),
    )


@dataclass
class HatPlayer:
    """Explainer and guesser over one shared embedding matrix.

    words/vectors: every modelled word (rows unit-normalised); clue_ok/guess_ok: which rows may
    be emitted; logfreq_z: standardised log corpus frequency; hub: mean cosine of each row to its
    nearest candidates (CSLS-style hubness correction); stems: Snowball stem of every corpus word.
    """

    words: list[str]
    vectors: np.ndarray
    clue_ok: np.ndarray
    guess_ok: np.ndarray
    logfreq_z: np.ndarray
    hub: np.ndarray
    is_stop: np.ndarray
    assoc: Any  # scipy.sparse-like CSR arrays (indptr, indices, data) of top PPMI associations
    word_to_stem: dict[str, str]
    reverse: Any = None  # CSR (target row x clue row): naive reverse-neighbour weights
    inv_keys: list[str] = field(default_factory=list)  # clue strings of `inverse`
    inverse: Any = None  # CSR (clue key x target row): naive explanation weights
    scoring: dict[str, float] = field(default_factory=lambda: dict(SCORING_DEFAULTS))
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}
        self.row_stems = [self.word_to_stem.get(w, w) for w in self.words]
        self.stems = StemIndex(self.word_to_stem, self.row_stems)
        s = self.scoring
        self._explain_prior = (-s["hub_e"] * self.hub + s["freq_e"] * self.logfreq_z).astype(
            np.float32
        )
        self._explain_prior[~self.clue_ok] = -np.inf
        self._guess_prior = (
            -s["hub_g"] * self.hub + s["freq_g"] * self.logfreq_z - s["stop_g"] * self.is_stop
        ).astype(np.float32)
        self._guess_prior[~self.guess_ok] = -np.inf
        self._by_freq = np.argsort(-self.logfreq_z, kind="stable")
        self._a_indptr = np.asarray(self.assoc.indptr)
        self._a_indices = np.asarray(self.assoc.indices)
        self._a_data = np.asarray(self.assoc.data)
        if self.reverse is None:
            self.reverse = _empty_csr(len(self.words))
        if self.inverse is None:
            self.inverse = _empty_csr(len(self.inv_keys))
        self._rev = (self.reverse.indptr, self.reverse.indices, self.reverse.data)
        self._inv = (self.inverse.indptr, self.inverse.indices, self.inverse.data)
        self._inv_index = {w: i for i, w in enumerate(self.inv_keys)}

    def _add_assoc(self, scores: np.ndarray, row: int, weight: float) -> None:
        """Scores += weight * PPMI-association row (sparse, so a few hundred updates)."""
        lo, hi = self._a_indptr[row], self._a_indptr[row + 1]
        scores[self._a_indices[lo:hi]] += weight * self._a_data[lo:hi]

    @staticmethod
    def _add_row(scores: np.ndarray, csr: tuple, row: int, weight: float) -> None:
        indptr, indices, data = csr
        lo, hi = indptr[row], indptr[row + 1]
        scores[indices[lo:hi]] += weight * data[lo:hi]

    # ------------------------------------------------------------------ explain
    def _target_vector(self, word: str) -> np.ndarray | None:
        if word in self.index:
            return self.vectors[self.index[word]]
        parts = [self.index[p] for p in re.split(r"\s+", word) if p in self.index]
        if not parts:
            return None
        v = self.vectors[parts].sum(axis=0)
        n = np.linalg.norm(v)
        return v / n if n > 0 else None

    def _clue_allowed(self, word: str, word_stem: str | None, cand: str) -> bool:
        """Host soft+hard cleaning for one clue (the letters-only/lowercase part holds by
        construction of the vocabulary).
        """
        if word in cand or (
            word_stem is not None and self.row_stems[self.index[cand]] == word_stem
        ):
            return False
        return _edit_distance(word, cand) > 2

    def explain(self, word: str, n_words: int) -> list[str]:
        """Clues that lead back to `word`, most telling first.

        Ranking subtracts each clue's hubness: a clue that is close to everything (a hub) says
        little. The `reverse` table adds a bonus to clues whose own nearest neighbours (in our
        course-recipe model and in our count model) contain the target, so that a naive
        nearest-neighbour guesser recovers it too; the first clue gets a large bonus because a
        naive guesser's best chance is round 1, later clues a small one.
        """
        try:
            n_words = int(n_words)
        except (TypeError, ValueError):
            return []
        raw = str(word).strip().lower()
        key = raw if " " in raw else normalize_word(raw)
        if not key or n_words <= 0:
            return []
        v = self._target_vector(key)
        if v is None:
            return []
        scores = self.vectors @ v + self._explain_prior
        rev = np.zeros(0, dtype=np.float32)
        rev_rows = np.zeros(0, dtype=np.int64)
        if key in self.index:
            row = self.index[key]
            if self.scoring["assoc_e"]:
                self._add_assoc(scores, row, self.scoring["assoc_e"])
            lo, hi = self._rev[0][row], self._rev[0][row + 1]
            rev_rows, rev = self._rev[1][lo:hi].astype(np.int64), self._rev[2][lo:hi]
            scores[row] = -np.inf
        word_stem = self.word_to_stem.get(key)
        k = min(len(scores), max(int(self.scoring["shortlist"]), 4 * n_words))
        top = np.argpartition(-scores, k - 1)[:k]
        cand = np.unique(np.concatenate([top, rev_rows]))
        cand = cand[np.isfinite(scores[cand])]
        base = scores[cand]
        bonus = np.zeros(len(cand), dtype=np.float32)
        bonus[np.searchsorted(cand, rev_rows[np.isin(rev_rows, cand)])] = rev[
            np.isin(rev_rows, cand)
        ]
        out: list[str] = []
        while len(out) < n_words:
            w = self.scoring["rev_e1"] if not out else self.scoring["rev_e"]
            total = base + w * bonus
            j = int(np.argmax(total))
            if not np.isfinite(total[j]):
                break
            base[j] = -np.inf  # used or rejected: never considered again
            if self._clue_allowed(key, word_stem, self.words[cand[j]]):
                out.append(self.words[cand[j]])
        return out

    # ------------------------------------------------------------------ guess
    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Candidates for the hidden word, best first.

        Clue vectors are averaged with weights decaying by position because explainers put their
        strongest clue first; the hubness and frequency priors favour ordinary common words,
        which is what secret words are. The `inverse` table adds, per clue, the candidates whose
        naive explanation (neighbour list of a course-recipe model) contains that clue, which
        also covers junk clues (names, fragments) that we have no vector for.
        """
        try:
            n_words = int(n_words)
        except (TypeError, ValueError):
            return []
        if n_words <= 0:
            return []
        if isinstance(words, str):
            words = [words]
        clues: list[str] = []
        for w in words or []:
            c = normalize_word(w)
            if c and c not in clues:
                clues.append(c)
        banned: set[int] = set()
        for c in clues:
            banned.update(self.stems.rows_sharing_stem(c))
            if c in self.index:
                banned.add(self.index[c])
        known = [(k, self.index[c]) for k, c in enumerate(clues) if c in self.index]
        inv_g = self.scoring["inv_g"]
        inv = [(k, self._inv_index[c]) for k, c in enumerate(clues) if c in self._inv_index]
        if known or (inv and inv_g):
            decay = self.scoring["decay"]
            scores = self._guess_prior.copy()
            if known:
                weights = np.array([decay**k for k, _ in known], dtype=np.float32)
                q = (weights[:, None] * self.vectors[[i for _, i in known]]).sum(axis=0)
                scores += self.vectors @ (q / weights.sum())
                if self.scoring["assoc_g"]:
                    for (_, i), wt in zip(known, weights / weights.sum(), strict=True):
                        self._add_assoc(scores, i, self.scoring["assoc_g"] * float(wt))
            if inv and inv_g:
                for k, j in inv:
                    self._add_row(scores, self._inv, j, inv_g * decay**k)
            k = min(len(scores), int(self.scoring["shortlist"]))
            top = np.argpartition(-scores, k - 1)[:k]
            order = top[np.argsort(-scores[top], kind="stable")]
        else:
            order = self._by_freq
            scores = self._guess_prior
        out: list[str] = []
        for i in order:
            if not np.isfinite(scores[i]):
                continue
            if int(i) not in banned:
                out.append(self.words[i])
                if len(out) == n_words:
                    break
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        """Plain .npy arrays + JSON: loadable with mmap and without gensim/sklearn/nltk."""
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        np.save(d / "vectors.npy", np.ascontiguousarray(self.vectors, dtype=np.float32))
        np.save(d / "clue_ok.npy", self.clue_ok)
        np.save(d / "guess_ok.npy", self.guess_ok)
        np.save(d / "logfreq_z.npy", self.logfreq_z.astype(np.float32))
        np.save(d / "hub.npy", self.hub.astype(np.float32))
        np.save(d / "is_stop.npy", self.is_stop)
        np.save(d / "assoc_indptr.npy", np.asarray(self.assoc.indptr, dtype=np.int64))
        np.save(d / "assoc_indices.npy", np.asarray(self.assoc.indices, dtype=np.int32))
        np.save(d / "assoc_data.npy", np.asarray(self.assoc.data, dtype=np.float32))
        for name, m in (("reverse", self.reverse), ("inverse", self.inverse)):
            c = _csr_arrays(m)
            np.save(d / f"{name}_indptr.npy", c.indptr)
            np.save(d / f"{name}_indices.npy", c.indices)
            np.save(d / f"{name}_data.npy", c.data)
        (d / "inv_keys.txt").write_text("".join(f"{k}\n" for k in self.inv_keys))
        (d / "words.txt").write_text("\n".join(self.words) + "\n")
        stems = sorted(self.word_to_stem.items())
        (d / "stems.tsv").write_text("".join(f"{w}\t{s}\n" for w, s in stems))
        (d / "meta.json").write_text(
            json.dumps({"scoring": self.scoring, "meta": self.meta}, indent=2, sort_keys=True)
        )

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True) -> HatPlayer:
        """Read a player saved by :meth:`save`; large arrays are memory-mapped, not copied."""
        d = Path(path)
        mode = "r" if mmap else None
        meta = json.loads((d / "meta.json").read_text())
        parts = ("indptr", "indices", "data")
        word_to_stem = dict(
            line.split("\t", 1) for line in (d / "stems.tsv").read_text().splitlines() if line
        )
        return cls(
            words=(d / "words.txt").read_text().split(),
            vectors=np.load(d / "vectors.npy", mmap_mode=mode),
            clue_ok=np.load(d / "clue_ok.npy"),
            guess_ok=np.load(d / "guess_ok.npy"),
            logfreq_z=np.load(d / "logfreq_z.npy"),
            hub=np.load(d / "hub.npy"),
            is_stop=np.load(d / "is_stop.npy"),
            assoc=Csr(
                np.load(d / "assoc_indptr.npy", mmap_mode=mode),
                np.load(d / "assoc_indices.npy", mmap_mode=mode),
                np.load(d / "assoc_data.npy", mmap_mode=mode),
            ),
            word_to_stem=word_to_stem,
            reverse=Csr(*(np.load(d / f"reverse_{a}.npy", mmap_mode=mode) for a in parts)),
            inv_keys=(d / "inv_keys.txt").read_text().split(),
            inverse=Csr(*(np.load(d / f"inverse_{a}.npy", mmap_mode=mode) for a in parts)),
            scoring={**SCORING_DEFAULTS, **meta.get("scoring", {})},
            meta=meta.get("meta", {}),
        )

    def knows(self, word: str) -> bool:
        """Whether ``word`` (as the host normalises it) has a vector: for unknown-word metrics."""
        return normalize_word(word) in self.index
