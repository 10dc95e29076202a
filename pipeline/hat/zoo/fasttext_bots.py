"""The engine's own demo (GameRun_Demo.ipynb): fastText on every raw line, nearest neighbours.

Most course bots start from this notebook, so its quirks are the ones we meet most:

* the corpus is every line of every post, headers and punctuation included, case kept, so the
  neighbours of 'money' are 'money.', 'money,', 'Money' ..., which the host's cleaning drops;
* explain answers the first ``n_words`` of ``get_nearest_neighbors(word)`` (k=10);
* guess answers ``get_nearest_neighbors(" ".join(clues))``: fastText treats that string as ONE
  unknown token and builds its vector from the character n-grams of the whole string, spaces
  included, so the clues are not averaged as words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.hat.zoo.base import Recipe, ZooBot
from pipeline.hat.zoo.text import Posts


class FastTextBot:
    """``LocalFasttextPlayer`` of the engine (flask_app/player.py), line for line."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def find_words_for_sentence(self, sentence: str, n_closest: int) -> list[str]:
        """The demo's one lookup: fastText's 10 nearest neighbours, cut to ``n_closest``."""
        neighbours = self.model.get_nearest_neighbors(sentence)
        return [word for _similarity, word in neighbours][:n_closest]

    def explain(self, word: str, n_words: int) -> list[str]:
        """The word's nearest neighbours, as they are."""
        return self.find_words_for_sentence(word, n_words)

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Neighbours of the clues joined by spaces (one subword vector, see the module doc)."""
        return self.find_words_for_sentence(" ".join(words), n_words)


def train_unsupervised_seeded(path: Path, params: dict[str, Any], seed: int) -> Any:
    """``fasttext.train_unsupervised`` with a seed.

    The Python wrapper (fasttext-wheel 0.9.2) does not accept ``seed`` although the C++ trainer
    has it, so this repeats the wrapper's three steps with the seed set. With one thread the
    model is a function of the file and the seed; with more it also depends on thread timing.
    """
    import fasttext_pybind
    from fasttext import FastText

    names = ["input", *FastText.unsupervised_default]
    args, manual = FastText.read_args(
        [], {"input": str(path), **params, "seed": int(seed)}, names, FastText.unsupervised_default
    )
    built = FastText._build_args(args, manual)
    model = FastText._FastText(args=built)
    fasttext_pybind.train(model.f, built)
    model.set_args(model.f.getArgs())
    return model


class FastTextRecipe(Recipe):
    """``fasttext.train_unsupervised(raw lines file, **params)``; params are fastText's names
    (model, dim, ...; the rest stay fastText's defaults). ``thread`` is set because it changes
    the model: fastText's default is cpu_count - 1, which is 1 on a two-core machine.
    """

    family = "fasttext"

    def train(self, posts: Posts) -> ZooBot:
        """Train on the notebook's corpus file (written once per run, shared by the recipes)."""
        model = train_unsupervised_seeded(
            posts.raw_lines_file(), {"verbose": 0, **self.params}, self.seed
        )
        return FastTextBot(model)

    def expected_cost(self) -> float:
        """Skip-gram a minute and a quarter of CPU, CBOW about half as much."""
        return 1.25 if self.params.get("model", "skipgram") == "skipgram" else 0.7

    def save(self, bot: ZooBot, folder: Path) -> None:
        """The model in fastText's binary format (the input matrix with its n-gram buckets)."""
        assert isinstance(bot, FastTextBot)
        bot.model.save_model(str(folder / "model.bin"))

    def load(self, folder: Path) -> ZooBot:
        """Load the binary model, as ``fasttext.load_model`` does without its stderr warning."""
        from fasttext import FastText

        return FastTextBot(FastText._FastText(model_path=str(folder / "model.bin")))
