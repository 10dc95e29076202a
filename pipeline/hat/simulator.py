"""Offline re-implementation of the host's game loop for evaluating bots against each other.

Explain calls are deterministic per (bot, word) and guess calls per (bot, clue prefix), so they
are memoised: the cross-play table costs one explain per explainer-word and one guess per
guesser-prefix. A bot given a stable key (:meth:`Simulator.name`, e.g. its cache key) has its
answers exported by :meth:`Simulator.answers` and imported by :meth:`Simulator.remember`, so
another process, or the next run, plays the same games from them without asking the bot again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.hat.rules import clean_explanation, is_guessed, round_score


class Explainer(Protocol):
    """Anything that explains a word with clues (ours, a baseline, a remote bot)."""

    def explain(self, word: str, n_words: int) -> list[str]:
        """Up to ``n_words`` clues for ``word``, best first."""
        ...


class Guesser(Protocol):
    """Anything that guesses a word from clues."""

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Up to ``n_words`` guesses from the clues so far, best first."""
        ...


@dataclass(frozen=True)
class WordResult:
    """Outcome of one explainer→guesser game on one word."""

    word: str
    clues: tuple[str, ...]
    guessed_round: int | None  # 1-based round, None when never guessed

    def score(self, n_explain_words: int) -> int:
        """The guesser's points: N + 1 - k when guessed in round k, else 0."""
        if self.guessed_round is None:
            return 0
        return round_score(n_explain_words, self.guessed_round)


@dataclass(frozen=True)
class PairStats:
    """One explainer -> guesser pair over a word list."""

    guessed_rate: float
    mean_score: float
    n_words: int


def load_word_list(path: Path) -> list[str]:
    """Read a host word list as the host's ``run_game.py`` does: stripped lines, spelled as they
    are (the host compares case-sensitively, so 'Mr' is only won by a bot that answers 'Mr.' or
    'Mrs'), each word once.
    """
    words = [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    return list(dict.fromkeys(w for w in words if w))


class Simulator:
    """Plays explainer→guesser games with host rules; memoises bot calls across pairs."""

    def __init__(self, n_explain: int = 5, n_guess: int = 5, criteria: str = "soft") -> None:
        self.n_explain = n_explain
        self.n_guess = n_guess
        self.criteria = criteria
        self._explain_cache: dict[tuple[Any, str], list[str]] = {}
        self._guess_cache: dict[tuple[Any, tuple[str, ...]], list[str]] = {}
        self._keys: dict[int, str] = {}

    def name(self, bot: object, key: str) -> None:
        """Memoise ``bot``'s answers under ``key``: one key for one bot's behaviour (its model
        and code), so answers remembered under it are the answers the bot would give.
        """
        self._keys[id(bot)] = key

    def _key(self, bot: object) -> Any:
        return self._keys.get(id(bot), id(bot))

    def answers(self, keys: Sequence[str] | None = None) -> dict[str, dict[str, dict]]:
        """The memoised answers of the named bots (``keys``: only these), per key:
        ``{"explain": {word: clues}, "guess": {clue tuple: guesses}}``.
        """
        wanted = set(self._keys.values()) if keys is None else set(keys)
        out: dict[str, dict[str, dict]] = {k: {"explain": {}, "guess": {}} for k in wanted}
        for (k, word), clues in self._explain_cache.items():
            if k in out:
                out[k]["explain"][word] = clues
        for (k, prefix), guesses in self._guess_cache.items():
            if k in out:
                out[k]["guess"][prefix] = guesses
        return out

    def remember(self, answers: Mapping[str, Mapping[str, Mapping]]) -> None:
        """Take answers exported by :meth:`answers` (of this run's workers or an earlier run)."""
        for k, known in answers.items():
            for word, clues in known.get("explain", {}).items():
                self._explain_cache[(k, word)] = list(clues)
            for prefix, guesses in known.get("guess", {}).items():
                self._guess_cache[(k, tuple(prefix))] = list(guesses)

    def _explain(self, bot: Explainer, word: str) -> list[str]:
        key = (self._key(bot), word)
        if key not in self._explain_cache:
            reported = bot.explain(word, self.n_explain)
            self._explain_cache[key] = clean_explanation(
                word, reported, self.n_explain, self.criteria
            )
        return self._explain_cache[key]

    def _guess(self, bot: Guesser, clues: tuple[str, ...]) -> list[str]:
        key = (self._key(bot), clues)
        if key not in self._guess_cache:
            self._guess_cache[key] = list(bot.guess(list(clues), self.n_guess))
        return self._guess_cache[key]

    def play_word(self, explainer: Explainer, guesser: Guesser, word: str) -> WordResult:
        """One game with one guesser: rounds k=1..len(clues), the guesser leaves on success."""
        clues = self._explain(explainer, word)
        for k in range(1, len(clues) + 1):
            if is_guessed(word, self._guess(guesser, tuple(clues[:k])), self.criteria):
                return WordResult(word, tuple(clues), k)
        return WordResult(word, tuple(clues), None)

    def play(
        self, explainer: Explainer, guesser: Guesser, words: Sequence[str]
    ) -> list[WordResult]:
        """One game per word."""
        return [self.play_word(explainer, guesser, w) for w in words]

    def play_rounds(
        self, explainer: Explainer, guesser: Guesser, words: Sequence[str]
    ) -> list[WordResult]:
        """The same games as :meth:`play`, round by round over all the words: a guesser with a
        ``guess_many(list of clue lists, n_words)`` (the zoo's vector bots) answers each round's
        new clue prefixes in one call, which a matrix product makes much cheaper than one call
        each; the answers, hence the games, are the same.
        """
        clues = {w: self._explain(explainer, w) for w in words}
        key = self._key(guesser)
        active = list(dict.fromkeys(words))
        for k in range(1, self.n_explain + 1):
            active = [w for w in active if len(clues[w]) >= k]
            prefixes = {w: tuple(clues[w][:k]) for w in active}
            new = [p for p in dict.fromkeys(prefixes.values()) if (key, p) not in self._guess_cache]
            many = getattr(guesser, "guess_many", None)
            if new and many is not None:
                for p, answer in zip(new, many([list(p) for p in new], self.n_guess), strict=True):
                    self._guess_cache[(key, p)] = list(answer)
            active = [
                w
                for w in active
                if not is_guessed(w, self._guess(guesser, prefixes[w]), self.criteria)
            ]
        return self.play(explainer, guesser, words)

    def play_multi(
        self, bots: Mapping[str, object], words: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        """A game of all ``bots`` in which every player explains every word to all the others
        (the host's ``Game.run(complete=True)``): each guesser first right at clue k scores
        N + 1 - k, the explainer scores the sum of its guessers' points. A guesser's rounds do not
        depend on the other guessers, so the game is the sum of its explainer -> guesser games.
        Returns each player's ``explaining``, ``guessing`` and ``total`` points.
        """
        totals = {name: {"explaining": 0, "guessing": 0, "total": 0} for name in bots}
        for e in bots:
            for g in bots:
                if g == e:
                    continue
                points = sum(
                    r.score(self.n_explain)
                    for r in self.play(bots[e], bots[g], words)  # type: ignore[arg-type]
                )
                totals[e]["explaining"] += points
                totals[g]["guessing"] += points
        for t in totals.values():
            t["total"] = t["explaining"] + t["guessing"]
        return totals

    def summarize(self, results: Sequence[WordResult]) -> PairStats:
        """Guessed rate and mean guesser score of a list of games."""
        n = len(results)
        if n == 0:
            return PairStats(0.0, 0.0, 0)
        hits = sum(r.guessed_round is not None for r in results)
        return PairStats(hits / n, sum(r.score(self.n_explain) for r in results) / n, n)
