"""The held-out word list: 400 common nouns in none of the host's four lists, never tuned on.

The player is tuned on the host's lists; a gain that only holds for them would not carry to a
tournament's own words, so the stage also reports on this list. It is built deterministically
from two independent signals, so that neither one's errors get in: a public noun list
(wonderwords' ``nounlist.txt``, 6,782 nouns) says a word *can* be a noun, and 20 Newsgroups says
it is *used* as one here: mostly written in lowercase (not a name or an acronym), often right
after a determiner and before a preposition, verb, conjunction or punctuation. Words are ranked
by the number of posts they occur in, so the list is the corpus's most common such nouns, the
kind of word a host puts in a hat.

The list is committed (``heldout_nouns.txt`` beside this module) so that it never changes under
the player unnoticed; ``tests/pipeline/hat/test_heldout.py`` rebuilds it from the mirrored corpus
(``DATA_MIRROR``) with the builder below (wonderwords is a development package) and fails unless
it is the same.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

LIST_FILE = Path(__file__).with_name("heldout_nouns.txt")
NAME = "heldout_nouns"

DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "its",
        "every",
        "each",
        "another",
        "some",
        "any",
        "no",
    ]
)
# what typically follows a noun: a preposition, an auxiliary or verb, a conjunction, punctuation
FOLLOWERS = frozenset(
    [
        "of",
        "in",
        "on",
        "for",
        "to",
        "with",
        "at",
        "from",
        "by",
        "about",
        "as",
        "into",
        "over",
        "under",
        "after",
        "before",
        "than",
        ".",
        ",",
        ";",
        ":",
        "!",
        "?",
        ")",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "does",
        "did",
        "may",
        "might",
        "must",
        "and",
        "or",
        "but",
        "that",
        "which",
        "who",
    ]
)
_TOKEN = re.compile(r"[A-Za-z]+|[.,;:!?)]")


@dataclass(frozen=True)
class WordStats:
    """Per lowercase word: occurrences, all-lowercase occurrences, posts, occurrences after a
    determiner and before a typical follower of a noun.
    """

    count: int
    lower: int
    docs: int
    after_det: int
    before_follower: int


def corpus_stats(bodies: Iterable[str]) -> dict[str, WordStats]:
    """Counts over post bodies (headers already removed); tokens are runs of ASCII letters."""
    count: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    docs: Counter[str] = Counter()
    after: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for body in bodies:
        toks = _TOKEN.findall(body)
        low = [t.lower() for t in toks]
        words = [t for t in low if t.isalpha()]
        count.update(words)
        lower.update(t for t in toks if t.isalpha() and t.islower())
        docs.update(set(words))
        after.update(w for prev, w in itertools.pairwise(low) if prev in DETERMINERS)
        before.update(w for w, nxt in itertools.pairwise(low) if nxt in FOLLOWERS)
    return {w: WordStats(c, lower[w], docs[w], after[w], before[w]) for w, c in count.items()}


def heldout_nouns(
    stats: Mapping[str, WordStats],
    nouns: Iterable[str],
    adjectives: Iterable[str],
    stop_words: Iterable[str],
    exclude: Iterable[str],
    stem: Callable[[str], str],
    size: int = 400,
    min_len: int = 3,
    min_lower: float = 0.8,
    min_after_det: float = 0.25,
    min_before_follower: float = 0.4,
) -> list[str]:
    """The ``size`` nouns in most posts that pass every filter (ties: alphabetical).

    Filters: in the noun list and not in the adjective list, not an -ing form ('following',
    'meaning': mostly verbs or adjectives here); alphabetic ASCII, at least ``min_len`` letters;
    not a stop word; not an ``exclude`` word (the host's lists) nor sharing a Snowball stem with
    one ('years'); not a plural of another noun of the list ('cars'); written all-lowercase in at
    least ``min_lower`` of its occurrences; preceded by a determiner in at least
    ``min_after_det`` and followed by a preposition, verb, conjunction or punctuation in
    ``min_before_follower`` (adjectives such as 'standard' are followed by nouns). ``stem`` is
    the Snowball stemmer's ``stem`` (passed in, to keep this function pure).
    """
    noun_set = {n.strip().lower() for n in nouns if n.strip()}
    adj_set = {a.strip().lower() for a in adjectives if a.strip()}
    stop = set(stop_words)
    excl = {w.lower() for w in exclude}
    excl_stems = {stem(w) for w in excl}
    keep = []
    for w, s in stats.items():
        if (
            w in noun_set
            and w not in adj_set
            and not w.endswith("ing")
            and w.isascii()
            and w.isalpha()
            and len(w) >= min_len
            and w not in stop
            and w not in excl
            and stem(w) not in excl_stems
            and not (w.endswith("s") and (w[:-1] in noun_set or w[:-2] in noun_set))
            and s.lower >= min_lower * s.count
            and s.after_det >= min_after_det * s.count
            and s.before_follower >= min_before_follower * s.count
        ):
            keep.append(w)
    keep.sort(key=lambda w: (-stats[w].docs, w))
    return keep[:size]


def build(posts: Iterable[str], host_words: Iterable[str]) -> list[str]:
    """The list from the corpus's posts and the host's words, with wonderwords' noun and
    adjective lists (a development package: ``pipenv install --dev``).
    """
    from importlib import resources

    from nltk.stem.snowball import SnowballStemmer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from pipeline.hat.zoo.text import strip_header

    try:
        assets = resources.files("wonderwords.assets")
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            "building the held-out list needs wonderwords: pipenv install --dev"
        ) from exc
    nouns = assets.joinpath("nounlist.txt").read_text().split("\n")
    adjectives = assets.joinpath("adjectivelist.txt").read_text().split("\n")
    stats = corpus_stats(strip_header(p) for p in posts)
    return heldout_nouns(
        stats, nouns, adjectives, ENGLISH_STOP_WORDS, host_words, SnowballStemmer("english").stem
    )


def load() -> list[str]:
    """The committed list, one word a line."""
    return [w for w in LIST_FILE.read_text().split("\n") if w]
