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

SCORING_KEYS = (
    # explain: score = cos(target, clue) - hub_e * hub(clue) + freq_e * logfreq_z(clue)
    #                  + assoc_e * ppmi(target, clue) + rev_e1 / rev_e * reverse[target, clue]
    #                  + listen_e * sum_L weight_L * (1 - P_L) * p_L(clue)   (listeners, below)
    "hub_e",
    "freq_e",
    "assoc_e",
    # guess: score = sum_k w_k [cos(clue_k, cand) + assoc_g * ppmi(clue_k, cand)] / sum_k w_k
    #                - hub_g * hub(cand) + freq_g * logfreq_z(cand) - stop_g * is_stop(cand)
    #                + inv_g * sum_k w_k inverse[clue_k, cand],   w_k = decay**k
    "hub_g",
    "freq_g",
    "assoc_g",
    "stop_g",
    "decay",
    "shortlist",
    "rev_e",  # reverse-table bonus for clues 2..N (the clue's naive neighbours hold the target)
    "rev_e1",  # the same for the first clue (a naive guesser's best chance is round 1)
    "inv_g",
    # listeners (explain): p_L(clue) = sigmoid(margin / listen_tau), margin = cosine of the
    # target minus that of listener L's listen_top-th best other word, for the mean of the clues
    # so far plus this one; P_L = the best p_L of the clues already chosen
    "listen_e",
    "listen_tau",
    "listen_top",
    "listen_shortlist",  # clue candidates the listeners judge (the best by the score above)
    "listen_rivals",  # each candidate's nearest tokens pooled as rivals (<= listeners.k)
)


def normalize_word(word: str) -> str:
    """The host's own normalisation (lowercase, letters only), so lookups match what it sends."""
    return _NON_LETTERS.sub("", str(word).lower())


def _edit_distance_within(a: str, b: str, k: int) -> bool:
    """Whether the Levenshtein distance (nltk's edit_distance with default arguments) is <= k.

    The host drops a clue within distance 2 of the word. Each row's minimum bounds the final
    distance from below, so most pairs of different words stop after a few rows.
    """
    if abs(len(a) - len(b)) > k or len(set(a) ^ set(b)) > 2 * k:
        return False  # one edit changes the length by at most 1 and the letter set by at most 2
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > k:
            return False
        prev = cur
    return prev[-1] <= k


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


@dataclass(frozen=True)
class Listener:
    """A model of another guesser: a word space trained differently on the same corpus.

    A plain nearest-neighbour guesser answers the words closest to the mean of the clues, so the
    explainer can check, for each candidate clue, whether the target would rank among that
    listener's first answers. Only the tokens that can matter are kept: every row's own token, the
    tokens the host would accept for a row, and each row's nearest tokens (the likely rivals).
    """

    name: str
    weight: float
    vectors: np.ndarray  # (n_tokens, d) unit rows (float16 on disk: 2 bytes a value)
    tok_of_row: np.ndarray  # int32 per player row: its token, -1 when the listener lacks it
    match: Csr  # player row -> tokens that count as guessing it (soft mode: 'money,' 'moneys')
    nbr: np.ndarray  # int32 (player rows x k): each row's nearest tokens, -1 padded

    _PARTS = ("vectors", "tok_of_row", "match_indptr", "match_indices", "nbr")

    def save(self, d: Path) -> None:
        """Plain .npy files in folder `d` (vectors as float16)."""
        d.mkdir(parents=True, exist_ok=True)
        np.save(d / "vectors.npy", np.ascontiguousarray(self.vectors, dtype=np.float16))
        np.save(d / "tok_of_row.npy", np.asarray(self.tok_of_row, dtype=np.int32))
        np.save(d / "match_indptr.npy", np.asarray(self.match.indptr, dtype=np.int64))
        np.save(d / "match_indices.npy", np.asarray(self.match.indices, dtype=np.int32))
        np.save(d / "nbr.npy", np.asarray(self.nbr, dtype=np.int32))

    @classmethod
    def load(cls, d: Path, name: str, weight: float, mode: str | None) -> Listener:
        """Read a listener saved by :meth:`save`, memory-mapped when `mode` is "r"."""
        a = {part: np.load(d / f"{part}.npy", mmap_mode=mode) for part in cls._PARTS}
        match = Csr(a["match_indptr"], a["match_indices"], np.zeros(0, np.float32))
        return cls(name, weight, a["vectors"], a["tok_of_row"], match, a["nbr"])


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
    scoring: dict[str, float] = field(default_factory=dict)  # SCORING_KEYS, from params.yaml
    meta: dict[str, Any] = field(default_factory=dict)
    listeners: list[Listener] = field(default_factory=list)
    # precomputed explanations (pipeline/hat/explain_table.py): table_clues[i] holds the first
    # clue rows of explain(words[table_rows[i]], depth), -1 padded; a lookup replaces the listener
    # search, which costs milliseconds, for the words a host is likely to send
    table_rows: np.ndarray | None = None
    table_clues: np.ndarray | None = None

    def __post_init__(self) -> None:
        missing = [
            k
            for k in SCORING_KEYS
            if k not in self.scoring and not (k.startswith("listen_") and not self.listeners)
        ]
        if missing:
            raise ValueError(f"scoring lacks {', '.join(missing)} (set them in params.yaml)")
        self.index = {w: i for i, w in enumerate(self.words)}
        self.row_stems = [self.word_to_stem.get(w, w) for w in self.words]
        self.stems = StemIndex(self.word_to_stem, self.row_stems)
        s = self.scoring
        self._explain_prior = (-s["hub_e"] * self.hub + s["freq_e"] * self.logfreq_z).astype(
            np.float32
        )
        self._explain_prior[~self.clue_ok] = -np.inf
        # explain scores only the rows it may emit, guess those it may answer: a quarter and a
        # half of the vocabulary (private copies of ~9 and ~16 MB on the real corpus)
        self._clue_rows = np.flatnonzero(self.clue_ok)
        self._clue_vectors = np.ascontiguousarray(self.vectors[self._clue_rows])
        self._guess_prior = (
            -s["hub_g"] * self.hub + s["freq_g"] * self.logfreq_z - s["stop_g"] * self.is_stop
        ).astype(np.float32)
        self._guess_prior[~self.guess_ok] = -np.inf
        self._guess_rows = np.flatnonzero(self.guess_ok)  # half the rows: half the product
        self._guess_vectors = np.ascontiguousarray(self.vectors[self._guess_rows])
        self.by_freq = np.argsort(-self.logfreq_z, kind="stable")  # rows, most frequent first
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
        self.set_explanations(self.table_rows, self.table_clues)

    def set_explanations(self, rows: np.ndarray | None, clues: np.ndarray | None) -> None:
        """Serve explain() for `rows` from the precomputed `clues` (None: compute every call)."""
        if rows is not None and clues is not None and (clues.ndim != 2 or len(clues) != len(rows)):
            raise ValueError(f"explanation table: {len(rows)} rows but clues {clues.shape}")
        self.table_rows, self.table_clues = rows, clues
        if rows is None or clues is None:
            self._table: dict[int, int] = {}
            self._table_depth = 0
            return
        self._table = {int(r): i for i, r in enumerate(rows)}
        self._table_depth = clues.shape[1]

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
        return not _edit_distance_within(word, cand, 2)

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
        # explain(w, n) is the first n clues of explain(w, depth) for n <= depth: the greedy
        # choice never looks at n, and the shortlist is the same while 4 * n <= shortlist
        if (
            n_words <= self._table_depth
            and (at := self._table.get(self.index.get(key, -1))) is not None
        ):
            return [self.words[c] for c in self.table_clues[at][:n_words] if c >= 0]
        return self.explain_live(key, n_words)

    def explain_live(self, key: str, n_words: int) -> list[str]:
        """explain() computed now, without the table: `key` is already normalised."""
        v = self._target_vector(key)
        if v is None:
            return []
        scores = np.full(len(self.words), -np.inf, dtype=np.float32)
        scores[self._clue_rows] = self._clue_vectors @ v + self._explain_prior[self._clue_rows]
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
        if key in self.index and self.listeners and self.scoring.get("listen_e", 0):
            return self._explain_for_listeners(key, word_stem, cand, base, bonus, n_words)
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

    def _explain_for_listeners(
        self,
        key: str,
        word_stem: str | None,
        cand: np.ndarray,
        base: np.ndarray,
        bonus: np.ndarray,
        n_words: int,
    ) -> list[str]:
        """Greedy clue choice so that the target ranks high for every listener.

        The best `listen_shortlist` allowed candidates by the plain score are judged. For each
        listener, a candidate's chances are the margin, for the mean of the clues chosen so far
        plus this one, between the target's cosine and that of the listener's `listen_top`-th
        best other word (the rivals: the target's and the candidates' nearest tokens). The
        clues already given are not answers, as in gensim's most_similar. Mean direction ranks
        like the sum, so the rival scores are running sums of one candidate x rival product.
        """
        s = self.scoring
        pre = base + s["rev_e1"] * bonus
        keep: list[int] = []
        for j in np.argsort(-pre, kind="stable"):
            if not np.isfinite(pre[j]):
                break
            if self._clue_allowed(key, word_stem, self.words[cand[j]]):
                keep.append(int(j))
                if len(keep) == int(s["listen_shortlist"]):
                    break
        if not keep:
            return []
        rows = cand[keep]
        base, bonus = base[keep].astype(np.float64), bonus[keep]
        states = [
            st
            for st in (
                _ListenerState(li, self.index[key], rows, int(s["listen_rivals"]))
                for li in self.listeners
            )
            if st.active
        ]
        top, tau = int(s["listen_top"]), float(s["listen_tau"])
        out: list[str] = []
        used = np.zeros(len(rows), dtype=bool)
        while len(out) < min(n_words, len(rows)):
            total = base + (s["rev_e"] if out else s["rev_e1"]) * bonus
            chances = [st.chances(top, tau) for st in states]
            for st, p in zip(states, chances, strict=True):
                total = total + s["listen_e"] * st.weight * (1.0 - st.reached) * p
            total[used] = -np.inf
            j = int(np.argmax(total))
            used[j] = True
            out.append(self.words[rows[j]])
            for st, p in zip(states, chances, strict=True):
                st.choose(j, float(p[j]))
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
                scores[self._guess_rows] += self._guess_vectors @ (q / weights.sum())
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
            order = self.by_freq
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
        self.save_explanations(d)
        listeners = {li.name: li.weight for li in self.listeners}
        for li in self.listeners:
            li.save(d / "listeners" / li.name)
        (d / "meta.json").write_text(
            json.dumps(
                {"scoring": self.scoring, "meta": self.meta, "listeners": listeners},
                indent=2,
                sort_keys=True,
            )
        )

    def save_explanations(self, path: str | Path) -> None:
        """Write the explanation table (if any) into the player folder `path`."""
        if self.table_rows is not None and self.table_clues is not None:
            d = Path(path)
            np.save(d / "table_rows.npy", np.asarray(self.table_rows, dtype=np.int32))
            np.save(d / "table_clues.npy", np.asarray(self.table_clues, dtype=np.int32))

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
            scoring=meta["scoring"],
            meta=meta.get("meta", {}),
            listeners=[
                Listener.load(d / "listeners" / name, name, float(w), mode)
                for name, w in sorted(meta.get("listeners", {}).items())
            ],
            # optional: players saved before the table, and tests, compute every explanation
            table_rows=np.load(d / "table_rows.npy") if (d / "table_rows.npy").exists() else None,
            table_clues=(
                np.load(d / "table_clues.npy", mmap_mode=mode)
                if (d / "table_clues.npy").exists()
                else None
            ),
        )

    def knows(self, word: str) -> bool:
        """Whether ``word`` (as the host normalises it) has a vector: for unknown-word metrics."""
        return normalize_word(word) in self.index


class _ListenerState:
    """One listener's view of one explanation in progress (see _explain_for_listeners).

    The tokens split once into the target's (a few) and the rivals (the rest), so each step is
    one addition and a few row maxima of a candidate x rival matrix. A clue is never its own answer
    and a clue already given is no answer either: both are -inf in the rival scores, the first
    fixed in ``gr``, the second carried by ``sums_r`` (adding a chosen row puts its own -inf there).
    """

    def __init__(self, li: Listener, target: int, rows: np.ndarray, rivals: int) -> None:
        lo, hi = int(li.match.indptr[target]), int(li.match.indptr[target + 1])
        targets = np.unique(np.asarray(li.match.indices[lo:hi], dtype=np.int64))
        self.active = len(targets) > 0 and li.weight > 0
        if not self.active:
            return
        self.weight = li.weight
        ctok = np.asarray(li.tok_of_row[rows], dtype=np.int64)
        nbr_rows = np.asarray(li.nbr[rows])[:, :rivals]
        pool = np.concatenate([np.asarray(li.nbr[target]), nbr_rows.ravel(), ctok])
        mark = np.zeros(len(li.vectors), dtype=bool)  # a mask beats setdiff1d's sorting
        mark[pool[pool >= 0]] = True
        mark[targets] = False
        rival_toks = np.flatnonzero(mark)  # sorted, unique
        self.has = ctok >= 0
        vc = np.zeros((len(rows), li.vectors.shape[1]), dtype=np.float32)
        vc[self.has] = li.vectors[ctok[self.has]]
        self.gt = vc @ np.asarray(li.vectors[targets], dtype=np.float32).T  # candidate x target
        self.gr = vc @ np.asarray(li.vectors[rival_toks], dtype=np.float32).T  # x rival
        self.gcc = vc @ vc.T  # candidate x candidate, for the norm of the clue sum
        at = np.searchsorted(rival_toks, ctok)
        own = self.has & (at < len(rival_toks))
        own[own] = rival_toks[at[own]] == ctok[own]
        self.gr[np.flatnonzero(own), at[own]] = -np.inf  # a clue is never its own answer
        at_t = np.searchsorted(targets, ctok)
        own_t = self.has & (at_t < len(targets))
        own_t[own_t] = targets[at_t[own_t]] == ctok[own_t]
        self.gt[np.flatnonzero(own_t), at_t[own_t]] = -np.inf
        self.sums_t = np.zeros(len(targets), dtype=np.float32)  # chosen clues' cosines summed
        self.sums_r = np.zeros(len(rival_toks), dtype=np.float32)
        self._sc = np.empty_like(self.gr)  # scratch for chances(): no allocation per step
        self.chosen: list[int] = []
        self.sq_norm = 0.0  # |sum of chosen clue vectors|^2
        self.reached = 0.0  # best chance so far that this listener has guessed the target

    def chances(self, top: int, tau: float) -> np.ndarray:
        """Per candidate: sigmoid(margin / tau) of the target over the top-th best rival."""
        best = (self.sums_t[None, :] + self.gt).max(axis=1)
        n_rivals = self.gr.shape[1]
        if n_rivals == 0:
            rival = np.full(len(best), -np.inf, dtype=np.float32)
        else:
            # the top-th largest per row: top is small, and top row maxima beat a partition
            sc = np.add(self.gr, self.sums_r[None, :], out=self._sc)
            every = np.arange(len(sc))
            for _ in range(min(top, n_rivals) - 1):
                sc[every, sc.argmax(axis=1)] = -np.inf
            rival = sc.max(axis=1)
        cross = self.gcc[:, self.chosen].sum(axis=1) if self.chosen else 0.0
        norm = np.sqrt(np.maximum(self.sq_norm + 2 * cross + self.has, 1e-6))
        with np.errstate(invalid="ignore"):  # -inf - -inf: no target left, handled below
            margin = np.where(np.isfinite(best), (best - rival) / norm, -np.inf)
        p = 1.0 / (1.0 + np.exp(-np.clip(margin / tau, -50.0, 50.0)))
        if not self.chosen:
            p[~self.has] = 0.0  # a clue the listener does not know tells it nothing
        return p

    def choose(self, j: int, p: float) -> None:
        """Record candidate j as the next clue."""
        if self.has[j]:
            self.sq_norm += 2 * float(self.gcc[j, self.chosen].sum()) + 1.0
            self.sums_t += self.gt[j]
            self.sums_r += self.gr[j]
            self.chosen.append(j)
        self.reached = max(self.reached, p)
