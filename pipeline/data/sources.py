"""Every external data set, described once: where it comes from, what its bytes are, how to read it.

A source names the publisher's URL and file. Where the publisher's bytes are fixed we pin their
sha256; where they live on a moving branch we cannot, and record the sha256 we got instead. A
mirror (``DATA_MIRROR``) may hold the very same file or a documented stand-in for it (a re-packed
archive, or the head of a list too large to mirror): those are listed as alternatives with their own
checksums, and the pipeline says which one it used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse


@dataclass(frozen=True)
class Variant:
    """One concrete file that can stand for a source."""

    filename: str
    sha256: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Source:
    """A data set as its publisher ships it, plus the stand-ins a mirror may hold."""

    name: str
    url: str
    filename: str
    sha256: str | None
    description: str
    kind: str
    alternatives: tuple[Variant, ...] = field(default=())

    @property
    def primary(self) -> Variant:
        """The publisher's own file."""
        return Variant(self.filename, self.sha256, "as published")


SECLISTS = "https://github.com/danielmiessler/SecLists/raw/master"
HAT_GAME = "https://raw.githubusercontent.com/production-ml/the-hat-game/master/text_samples"

ROCKYOU = Source(
    name="rockyou",
    url=f"{SECLISTS}/Passwords/Leaked-Databases/rockyou-withcount.txt.tar.gz",
    filename="rockyou-withcount.txt.tar.gz",
    sha256=None,  # served from a branch head: the bytes may change; the sha256 we got is recorded
    description="RockYou leak, every distinct password with its count (14.3M lines)",
    kind="rockyou-counts",
    alternatives=(
        Variant(
            "rockyou-top100k-withcount.txt.gz",
            "b6ca5f7d2dff57fd1cdd183c43401d8cc89f6d4791416fe02cbf0ccd8bb0e946",
            "head of the list only: the ~100,000 most frequent passwords, counts >= 23",
        ),
    ),
)

PASSWORD_SOURCES = {ROCKYOU.name: ROCKYOU}

# Leaks of other sites, for external validation only: the password model is scored on them every
# run and never trained on them.
PHPBB = Source(
    name="phpbb",
    url=f"{SECLISTS}/Passwords/Leaked-Databases/phpbb-withcount.txt",
    filename="phpbb-withcount.txt",
    sha256=None,  # served from a branch head: recorded, not pinned
    description="phpBB forum leak (2009), every distinct password with its count (184k lines)",
    kind="rockyou-counts",
    alternatives=(
        Variant(
            "phpbb-withcount.txt",
            "98b3065ca7dfcee1863be45fbc7c88dd5ee683f79553052ffaac35e24550c0e4",
            "the same list (the mirror's copy)",
        ),
    ),
)

EXTERNAL_SOURCES = {PHPBB.name: PHPBB}

NEWSGROUPS = Source(
    name="20newsgroups",
    # scikit-learn's fetch_20newsgroups downloads the same archive from this address.
    url="https://ndownloader.figshare.com/files/5975967",
    filename="20news-bydate.tar.gz",
    sha256="8f1b2514ca22a5ade8fbb9cfa5727df95fa587f4c87b786e15c759fa66d95610",
    description="20 Newsgroups, 'bydate' version: 18,846 Usenet posts in train and test parts",
    kind="newsgroups",
    alternatives=(
        Variant(
            "20news-bydate.tar.gz",
            "6cf3aa0f3423075e82be76e8e16186065224df2326864c6d62c6484926cdc8b9",
            "the same posts, re-packed (the mirror's copy)",
        ),
    ),
)

HAT_WORD_LISTS = (
    "nouns_top_50",
    "adjectives_top_50",
    "verbs_top_50",
    "topic_finance_frequent_words",
)


def hat_word_list(name: str) -> Source:
    """One of the-hat-game's sample word lists (``text_samples/<name>.txt``)."""
    return Source(
        name=f"hat-vocab/{name}",
        url=f"{HAT_GAME}/{name}.txt",
        filename=f"hat-vocab/{name}.txt",
        sha256=None,  # a branch head: recorded, not pinned
        description=f"the-hat-game sample word list {name}",
        kind="word-list",
    )


# The whole RockYou leak held this many passwords (with repeats); a count becomes a frequency per
# million by this total, also when only the head of the list is at hand.
ROCKYOU_TOTAL = 32_603_388


def source_for_location(location: str, kind: str) -> Source:
    """Describe a user-supplied file or URL (e.g. a Kaggle ``Password,Times`` CSV) as a source.

    Its bytes are not pinned: we cannot know them in advance, so the sha256 we read is recorded.
    """
    parsed = urlparse(location)
    if parsed.scheme in ("http", "https"):
        filename = parsed.path.rstrip("/").rsplit("/", 1)[-1] or "download"
        return Source(location, location, filename, None, f"user-supplied URL {location}", kind)
    return Source(location, "", location, None, f"user-supplied file {location}", kind)
