"""The contract every zoo bot keeps, and the base of every recipe."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pipeline.hat.zoo.text import Posts


@runtime_checkable
class ZooBot(Protocol):
    """The host's player contract (the-hat-game's ``AbstractPlayer``): plain lists of strings.

    The host hands a local player the secret word as its word list spells it and the cleaned
    clues so far as a list; whatever the bot answers is used as it is.
    """

    def explain(self, word: str, n_words: int) -> list[str]:
        """Up to ``n_words`` clues for ``word``."""
        ...

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Up to ``n_words`` guesses from the clues ``words``."""
        ...


class Recipe(ABC):
    """How one kind of student builds a bot: preprocessing, model, player code, and a seed.

    A recipe is a value: its name, family, code version, parameters and seed identify what it
    trains, so all of them are part of the cache key (:func:`pipeline.hat.zoo.cache.cache_key`).
    ``version`` is bumped whenever the code changes what a recipe produces for the same
    parameters, which invalidates the cached bots.
    """

    family: ClassVar[str]
    version: ClassVar[int] = 1

    def __init__(self, name: str, seed: int, params: dict[str, Any]) -> None:
        self.name = name
        self.seed = int(seed)
        self.params = dict(params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, seed={self.seed}, {self.params!r})"

    @abstractmethod
    def train(self, posts: Posts) -> ZooBot:
        """Train a bot from the corpus's posts with this recipe's seed (in memory, no cache)."""

    @abstractmethod
    def save(self, bot: ZooBot, folder: Path) -> None:
        """Write the bot's files into ``folder`` (which exists and is empty)."""

    @abstractmethod
    def load(self, folder: Path) -> ZooBot:
        """Read a bot written by :meth:`save`."""

    def expected_cost(self) -> float:
        """A rough CPU cost, to start the longest jobs first (scheduling only; 1 = a minute)."""
        return 1.0

    def describe(self) -> dict[str, Any]:
        """What identifies the recipe in a cache key and a report."""
        return {
            "name": self.name,
            "family": self.family,
            "class": type(self).__name__,
            "version": self.version,
            "params": self.params,
            "seed": self.seed,
        }
