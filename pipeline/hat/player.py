"""HatPlayer: the serving side of the Hat bot.

Only numpy and the standard library are imported here so that a gunicorn worker stays small:
the model is a unit-normalised float32 matrix over a limited vocabulary plus a few per-word
arrays, and explain/guess are one matrix-vector product followed by cheap filtering.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.hat import player_files
from pipeline.hat.guesser import GuessLists, Scorer
from pipeline.hat.listeners import Listener, ListenerState, empty_csr
from pipeline.hat.stems import StemIndex
from pipeline.hat.words import edit_distance_within, normalize_word

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
    # the engine demo's guessers (pipeline/hat/demo.py): of the first demo_first clues, the one
    # our demo copies most surely answer with the target in round 1 goes first (0: off)
    "demo_first",
    "demo_g",  # guess: + demo_g * sum_k decay**k * demo_inverse[clue_k, cand]
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
    scoring: dict[str, float] = field(default_factory=dict)  # SCORING_KEYS, from params.yaml
    meta: dict[str, Any] = field(default_factory=dict)
    listeners: list[Listener] = field(default_factory=list)
    # precomputed explanations (pipeline/hat/explain_table.py): table_clues[i] holds the first
    # clue rows of explain(words[table_rows[i]], depth), -1 padded; a lookup replaces the listener
    # search, which costs milliseconds, for the words a host is likely to send
    table_rows: np.ndarray | None = None
    table_clues: np.ndarray | None = None
    demo_reverse: Any = None  # CSR (target row x clue row): demo guessers' round-1 chances
    demo_inverse: Any = None  # CSR (clue key x target row): demo explainers' clues, like inverse
    guess_lists: GuessLists | None = None  # per-row candidate lists (pipeline/hat/guesser.py)

    def __post_init__(self) -> None:
        missing = [
            k
            for k in SCORING_KEYS
            if k not in self.scoring
            and not (k.startswith("listen_") and not self.listeners)
            and not (k.startswith("demo_") and self.demo_reverse is None)  # a player of before
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
        # half of the vocabulary, in private contiguous copies (half the work, some memory)
        self._clue_rows = np.flatnonzero(self.clue_ok)
        self._clue_vectors = np.ascontiguousarray(self.vectors[self._clue_rows])
        guess_prior = (
            -s["hub_g"] * self.hub + s["freq_g"] * self.logfreq_z - s["stop_g"] * self.is_stop
        ).astype(np.float32)
        guess_prior[~self.guess_ok] = -np.inf
        self.by_freq = np.argsort(-self.logfreq_z, kind="stable")  # rows, most frequent first
        self._a_indptr = np.asarray(self.assoc.indptr)
        self._a_indices = np.asarray(self.assoc.indices)
        self._a_data = np.asarray(self.assoc.data)
        if self.reverse is None:
            self.reverse = empty_csr(len(self.words))
        if self.inverse is None:
            self.inverse = empty_csr(len(self.inv_keys))
        if self.demo_reverse is None:
            self.demo_reverse = empty_csr(len(self.words))
        if self.demo_inverse is None:
            self.demo_inverse = empty_csr(len(self.inv_keys))
        self._rev = (self.reverse.indptr, self.reverse.indices, self.reverse.data)
        self._demo_rev = (
            self.demo_reverse.indptr,
            self.demo_reverse.indices,
            self.demo_reverse.data,
        )
        self._inv_index = {w: i for i, w in enumerate(self.inv_keys)}
        self.scorer = Scorer(
            self.vectors,
            guess_prior,
            (self._a_indptr, self._a_indices, self._a_data),
            (self.inverse.indptr, self.inverse.indices, self.inverse.data),
            (self.demo_inverse.indptr, self.demo_inverse.indices, self.demo_inverse.data),
            self.scoring,
            self.guess_lists,
        )
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
        return not edit_distance_within(word, cand, 2)

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
        """explain() computed now, without the table: `key` is already normalised.

        The greedy choice gives at least ``demo_first`` clues, so that reordering them for the
        demo's guessers never depends on n, and explain(w, n) stays a prefix of explain(w, 10).
        """
        depth = int(self.scoring.get("demo_first", 0))
        clues = self._explain_greedy(key, max(n_words, depth))
        if key in self.index:
            clues = self._demo_first(self.index[key], clues, depth)
        return clues[:n_words]

    def _demo_first(self, row: int, clues: list[str], depth: int) -> list[str]:
        """Move to the front the clue among the first ``depth`` that our demo copies most surely
        answer with the target in round 1 (earliest on ties; unchanged when none does).
        """
        indptr, indices, data = self._demo_rev
        lo, hi = int(indptr[row]), int(indptr[row + 1])
        if depth <= 0 or lo == hi:
            return clues
        chance = dict(zip(indices[lo:hi].tolist(), data[lo:hi].tolist(), strict=True))
        best, at = 0.0, -1
        for i, c in enumerate(clues[:depth]):
            if (p := chance.get(self.index[c], 0.0)) > best:
                best, at = p, i
        if at <= 0:
            return clues
        return [clues[at], *clues[:at], *clues[at + 1 :]]

    def _explain_greedy(self, key: str, n_words: int) -> list[str]:
        """The greedy clue choice of explain(), before the demo's reordering."""
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
                ListenerState(li, self.index[key], rows, int(s["listen_rivals"]))
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
        inv = [(k, self._inv_index[c]) for k, c in enumerate(clues) if c in self._inv_index]
        if known or inv:
            return [self.words[r] for r in self.scorer.best(known, inv, banned, n_words)]
        out: list[str] = []  # nothing to go by: the most frequent words a guess may be
        for i in self.by_freq:
            if np.isfinite(self.scorer.prior[i]) and int(i) not in banned:
                out.append(self.words[i])
                if len(out) == n_words:
                    break
        return out

    def guess_batch(self, queries: Sequence[tuple[list[str], int]]) -> list[list[str]]:
        """:meth:`guess` of each ``(words, n_words)``: the service's batch of the guesses that came
        together (:mod:`app.coalescing`). One at a time here: the candidate lists already spare
        most guesses the product with the whole matrix.
        """
        return [self.guess(words, n_words) for words, n_words in queries]

    def knows(self, word: str) -> bool:
        """Whether ``word`` (as the host normalises it) has a vector: for unknown-word metrics."""
        return normalize_word(word) in self.index

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        """Write the player into folder ``path`` (:mod:`pipeline.hat.player_files`)."""
        player_files.save_player(self, path)

    def set_guess_lists(self, lists: GuessLists | None) -> None:
        """Guess through these candidate lists (None: score every row on every call)."""
        self.guess_lists = self.scorer.lists = lists

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True) -> HatPlayer:
        """Read a player saved by :meth:`save`; large arrays are memory-mapped, not copied."""
        return cls(**player_files.player_parts(path, mmap))
