"""Count-based bots: PPMI + truncated SVD (a word-window student) and LSA (an sklearn student).

Both are common when a student distrusts neural embeddings or wants a deterministic model, and
both see the corpus very differently from fastText: PPMI-SVD from word windows over clean
tokens, LSA from whole documents (topical neighbours: 'car' ~ 'engine', 'dealer', 'miles').
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pipeline.hat.counts import build_vocab, cooccurrence, ppmi, svd_vectors
from pipeline.hat.zoo.base import Recipe, ZooBot
from pipeline.hat.zoo.text import Posts, letter_tokens, sklearn_body, strip_header
from pipeline.hat.zoo.vectors import VectorBot


class PpmiSvdRecipe(Recipe):
    """Post bodies (headers dropped), lowercase letter tokens, window co-occurrence, PPMI,
    randomized SVD, vectors U * S**power; params: min_count, window, dim, power, cds_alpha.
    """

    family = "ppmi"

    def expected_cost(self) -> float:
        """Grows with the window (pairs counted) and the SVD's dimension."""
        return 0.03 * int(self.params["window"]) + 0.0005 * int(self.params["dim"])

    def train(self, posts: Posts) -> ZooBot:
        """Counts -> PPMI -> SVD; deterministic for a seed."""
        p = self.params
        docs = [letter_tokens(strip_header(post)) for post in posts.texts]
        counts: Counter[str] = Counter()
        for doc in docs:
            counts.update(doc)
        vocab = build_vocab(counts, int(p["min_count"]))
        pairs = cooccurrence(docs, vocab, int(p["window"]), harmonic=False)
        m = ppmi(pairs, float(p["cds_alpha"]))
        del pairs
        return VectorBot(vocab, svd_vectors(m, int(p["dim"]), float(p["power"]), self.seed))

    def save(self, bot: ZooBot, folder: Path) -> None:
        """Words and unit vectors."""
        assert isinstance(bot, VectorBot)
        bot.save(folder)

    def load(self, folder: Path) -> ZooBot:
        """Read the table back."""
        return VectorBot.load(folder)


class LsaRecipe(Recipe):
    """``TfidfVectorizer(stop_words="english", lowercase=True, min_df=...)`` on the bodies that
    ``fetch_20newsgroups(remove=("headers", "footers", "quotes"))`` returns, ``TruncatedSVD``,
    term vectors = the rows of ``svd.components_.T``; params: min_df, max_df, dim.
    """

    family = "lsa"

    def expected_cost(self) -> float:
        """A sparse TF-IDF matrix and one truncated SVD: seconds."""
        return 0.15

    def train(self, posts: Posts) -> ZooBot:
        """TF-IDF -> truncated SVD of the document x term matrix; term rows are the vectors."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        p = self.params
        bodies = [sklearn_body(post) for post in posts.texts]
        tfidf = TfidfVectorizer(
            stop_words="english",
            lowercase=True,
            min_df=int(p["min_df"]),
            max_df=float(p["max_df"]),
        )
        x = tfidf.fit_transform(bodies)
        svd = TruncatedSVD(n_components=int(p["dim"]), random_state=self.seed)
        svd.fit(x)
        return VectorBot(list(tfidf.get_feature_names_out()), svd.components_.T)

    def save(self, bot: ZooBot, folder: Path) -> None:
        """Words and unit vectors."""
        assert isinstance(bot, VectorBot)
        bot.save(folder)

    def load(self, folder: Path) -> ZooBot:
        """Read the table back."""
        return VectorBot.load(folder)
