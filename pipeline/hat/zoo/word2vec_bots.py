"""gensim Word2Vec students: three common preprocessings, ``most_similar`` players.

* raw: the course recipe, ``post.lower().split()`` with headers and punctuation ('money,' and
  'money' are different words);
* clean: ``gensim.utils.simple_preprocess`` on bodies, gensim's stop words removed;
* stemmed: letter tokens, scikit-learn's English stop words removed, NLTK Snowball stems. Such a
  bot thinks in stems ('compani'), which the host would take at face value, so its author maps
  every stem back to its most frequent surface word before answering, and stems the clues.

One worker thread (``workers`` in params.yaml): with more, gensim's model depends on thread
timing, and the stage runs two single-threaded trainers side by side on two cores anyway.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.hat.zoo.base import Recipe, ZooBot
from pipeline.hat.zoo.text import Posts, letter_tokens, lower_split, strip_header
from pipeline.hat.zoo.vectors import nearest_many


def most_similar_many(wv: Any, key_lists: list[list[str]], topn: int) -> list[list[str]]:
    """``wv.most_similar(positive=keys, topn=topn)`` words for many known key lists at once:
    gensim's arithmetic (the unit mean of the keys' unit vectors, dot products divided by each
    row's norm, the keys skipped) with one matrix product per chunk of lists.
    """
    if not key_lists:
        return []
    wv.fill_norms()
    ids = [[wv.key_to_index[k] for k in keys] for keys in key_lists]
    means = np.stack([(wv.vectors[r] / wv.norms[r, None]).mean(axis=0) for r in ids])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    found = nearest_many(
        wv.vectors, means.astype(np.float32), [set(r) for r in ids], topn, wv.norms
    )
    return [[wv.index_to_key[i] for i in rows] for rows in found]


class GensimBot:
    """``wv.most_similar`` both ways, as in gensim's tutorials; unknown words are skipped."""

    def __init__(self, wv: Any) -> None:
        self.wv = wv

    def explain(self, word: str, n_words: int) -> list[str]:
        """The word's nearest neighbours ([] when the model does not know the word)."""
        if word not in self.wv:
            return []
        return [w for w, _ in self.wv.most_similar(word, topn=int(n_words))]

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Nearest neighbours of the mean of the known clues (clues excluded by gensim)."""
        known = [w for w in words if w in self.wv]
        if not known:
            return []
        return [w for w, _ in self.wv.most_similar(positive=known, topn=int(n_words))]

    def guess_many(self, queries: list[list[str]], n_words: int) -> list[list[str]]:
        """:meth:`guess` for many clue lists at once (one matrix product per chunk)."""
        known = [[w for w in q if w in self.wv] for q in queries]
        asked = [i for i, k in enumerate(known) if k]
        out: list[list[str]] = [[] for _ in queries]
        found = most_similar_many(self.wv, [known[i] for i in asked], int(n_words))
        for i, words in zip(asked, found, strict=True):
            out[i] = words
        return out


class StemmedGensimBot:
    """A model over stems, speaking surface words: stem in, most frequent surface form out."""

    def __init__(self, wv: Any, surface: dict[str, str]) -> None:
        from nltk.stem.snowball import SnowballStemmer

        self.wv = wv
        self.surface = surface
        self._stem = SnowballStemmer("english").stem

    def _words(self, pairs: list[tuple[str, float]]) -> list[str]:
        return [self.surface.get(s, s) for s, _ in pairs]

    def explain(self, word: str, n_words: int) -> list[str]:
        """Neighbours of the word's stem, each mapped to its most frequent surface form."""
        s = self._stem(word.lower())
        if s not in self.wv:
            return []
        return self._words(self.wv.most_similar(s, topn=int(n_words)))

    def guess(self, words: list[str], n_words: int) -> list[str]:
        """Neighbours of the mean of the known clue stems, as surface words."""
        stems = (self._stem(w.lower()) for w in words)
        known = list(dict.fromkeys(s for s in stems if s in self.wv))
        if not known:
            return []
        return self._words(self.wv.most_similar(positive=known, topn=int(n_words)))

    def guess_many(self, queries: list[list[str]], n_words: int) -> list[list[str]]:
        """:meth:`guess` for many clue lists at once (one matrix product per chunk)."""
        known = [
            list(dict.fromkeys(s for s in (self._stem(w.lower()) for w in q) if s in self.wv))
            for q in queries
        ]
        asked = [i for i, k in enumerate(known) if k]
        out: list[list[str]] = [[] for _ in queries]
        found = most_similar_many(self.wv, [known[i] for i in asked], int(n_words))
        for i, stems in zip(asked, found, strict=True):
            out[i] = [self.surface.get(s, s) for s in stems]
        return out


def snowball_docs(posts: list[str]) -> tuple[list[list[str]], dict[str, str]]:
    """Stemmed, stop-word-free token lists and each stem's most frequent surface form."""
    from nltk.stem.snowball import SnowballStemmer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stem = SnowballStemmer("english").stem
    cache: dict[str, str] = {}
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    docs = []
    for post in posts:
        doc = []
        for t in letter_tokens(strip_header(post)):
            if t in ENGLISH_STOP_WORDS or len(t) < 2:
                continue
            s = cache.get(t)
            if s is None:
                s = cache[t] = stem(t)
            forms[s][t] += 1
            doc.append(s)
        docs.append(doc)
    surface = {s: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for s, c in forms.items()}
    return docs, surface


class Word2VecRecipe(Recipe):
    """gensim ``Word2Vec(docs, seed=seed, **params["w2v"])``; ``params["prep"]`` picks the
    preprocessing: "raw", "clean" or "stemmed" (see the module doc).
    """

    family = "word2vec"

    def _docs(self, posts: list[str]) -> tuple[list[list[str]], dict[str, str] | None]:
        prep = self.params["prep"]
        if prep == "raw":
            return [lower_split(p) for p in posts], None
        if prep == "clean":
            from gensim.parsing.preprocessing import STOPWORDS
            from gensim.utils import simple_preprocess

            docs = [
                [t for t in simple_preprocess(strip_header(p)) if t not in STOPWORDS] for p in posts
            ]
            return docs, None
        if prep == "stemmed":
            return snowball_docs(posts)
        raise ValueError(f"{self.name}: unknown preprocessing {prep!r} (raw, clean or stemmed)")

    def train(self, posts: Posts) -> ZooBot:
        """Tokenize, then train Word2Vec with this recipe's seed."""
        from gensim.models import Word2Vec

        logging.getLogger("gensim").setLevel(logging.WARNING)
        docs, surface = self._docs(posts.texts)
        model = Word2Vec(docs, seed=self.seed, **self.params["w2v"])
        if surface is None:
            return GensimBot(model.wv)
        return StemmedGensimBot(model.wv, {s: surface[s] for s in model.wv.index_to_key})

    def expected_cost(self) -> float:
        """Raw tokens (headers and all) are the most text; CBOW is cheaper than skip-gram."""
        text = {"raw": 1.6, "clean": 0.8, "stemmed": 0.6}.get(self.params["prep"], 1.0)
        return text * (1.0 if self.params["w2v"].get("sg", 0) else 0.4)

    def save(self, bot: ZooBot, folder: Path) -> None:
        """KeyedVectors (and the stem -> surface map of a stemmed bot)."""
        assert isinstance(bot, GensimBot | StemmedGensimBot)
        bot.wv.save(str(folder / "vectors.kv"))
        if isinstance(bot, StemmedGensimBot):
            (folder / "surface.json").write_text(json.dumps(bot.surface, sort_keys=True))

    def load(self, folder: Path) -> ZooBot:
        """Read the vectors back (memory-mapped: loading is a few pages, not a copy)."""
        from gensim.models import KeyedVectors

        wv = KeyedVectors.load(str(folder / "vectors.kv"), mmap="r")
        if (folder / "surface.json").exists():
            return StemmedGensimBot(wv, json.loads((folder / "surface.json").read_text()))
        return GensimBot(wv)
