"""Small, synthetic password lists for tests: real leaked passwords never enter the repository.

The generator imitates how people build passwords (words, names, digits, keyboard runs, simple
suffixes) with a Zipf-like count per rank, so a model trained on it shows the same behaviour as on
the real list at a fraction of the size.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

WORDS = [
    "password",
    "love",
    "monkey",
    "dragon",
    "shadow",
    "master",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "soccer",
    "hockey",
    "jordan",
    "michael",
    "jessica",
    "ashley",
    "daniel",
    "nicole",
    "charlie",
    "summer",
    "flower",
    "angel",
    "secret",
    "freedom",
    "tigger",
    "purple",
    "orange",
    "banana",
    "cookie",
    "chocolate",
    "butterfly",
    "superman",
    "batman",
    "pepper",
    "ginger",
    "hunter",
    "buster",
    "thomas",
    "robert",
    "maggie",
    "silver",
    "golden",
    "diamond",
    "starwars",
    "whatever",
    "qwerty",
    "trustno",
    "iloveyou",
    "letmein",
    "welcome",
    "killer",
    "cheese",
    "rainbow",
    "lovely",
    "family",
    "friends",
    "forever",
    "loveme",
    "babygirl",
    "sweety",
    "honey",
    "mustang",
    "corvette",
    "ferrari",
    "matrix",
    "hello",
    "computer",
]
TOP = ["123456", "12345", "123456789", "password", "iloveyou", "princess", "1234567", "qwerty"]


def make_counts(n: int = 3000, seed: int = 0) -> list[tuple[str, int]]:
    """``n`` distinct (password, count) pairs, most frequent first, counts >= 23 like the head."""
    rng = random.Random(seed)
    seen: dict[str, None] = dict.fromkeys(TOP)
    while len(seen) < n:
        word = rng.choice(WORDS)
        kind = rng.random()
        if kind < 0.25:
            pw = word
        elif kind < 0.55:
            pw = word + str(rng.choice([1, 2, 7, 12, 13, 23, 69, 123, 2009, 1987]))
        elif kind < 0.65:
            pw = word.capitalize() + str(rng.randint(0, 99))
        elif kind < 0.75:
            pw = str(rng.randint(0, 10 ** rng.randint(4, 8)))
        elif kind < 0.85:
            pw = word + rng.choice(WORDS)
        elif kind < 0.9:
            pw = word + " " + rng.choice(WORDS)
        else:
            pw = word + rng.choice("!@#$.")
        seen.setdefault(pw, None)
    passwords = list(seen)
    # Popularity falls with rank and with length: short, plain passwords are the common ones.
    ranked = passwords[: len(TOP)] + sorted(passwords[len(TOP) :], key=lambda p: (len(p), p))
    return [(p, max(23, int(300_000 / (rank + 1) ** 1.1))) for rank, p in enumerate(ranked)]


def make_leak(listed: list[tuple[str, int]], n: int = 1500, seed: int = 1) -> list[tuple[str, int]]:
    """Another site's list in the same format: some of ``listed``'s passwords (the common ones
    reused more), variants of them and strings of its own, most of them used once.
    """
    rng = random.Random(seed)
    rows: dict[str, int] = {}
    for rank, (pw, _) in enumerate(listed[: n // 3]):
        rows[pw] = max(1, int(200 / (rank + 1)) + rng.randint(0, 2))
    while len(rows) < n:
        word = rng.choice(WORDS)
        kind = rng.random()
        if kind < 0.4:
            pw = word + str(rng.randint(100, 9999))
        elif kind < 0.7:
            pw = word.capitalize() + rng.choice(WORDS) + str(rng.randint(0, 99))
        else:
            pw = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12))
        rows.setdefault(pw, 1 + (rng.random() < 0.1 and kind < 0.7))
    return sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))


def write_counts(path: Path, rows: list[tuple[str, int]], gz: bool = True) -> Path:
    """Write rows in RockYou's format: right-aligned count, one space, the password."""
    text = "".join(f"{count:>7} {pw}\n" for pw, count in rows).encode("utf-8")
    path.write_bytes(gzip.compress(text, mtime=0) if gz else text)
    return path


TOPICS = {
    "finance": "money bank cash dollar loan credit interest price market stock tax budget pay",
    "space": "orbit moon rocket launch shuttle planet mars satellite nasa earth star solar",
    "computer": "software program disk memory windows driver screen keyboard file code chip",
    "sports": "game team player season hockey baseball score coach league win goal fan",
    "religion": "god church faith belief bible jesus prayer heaven christian truth soul sin",
}
FILLER = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "this",
    "be",
    "are",
    "have",
    "not",
    "but",
]


def make_newsgroups_tar(path: Path, n_docs: int = 400, seed: int = 0) -> Path:
    """A tiny 20news-bydate-like archive: topical posts with headers, quotes and signatures."""
    import io
    import tarfile

    rng = random.Random(seed)
    topics = {name: words.split() for name, words in TOPICS.items()}
    with tarfile.open(path, "w:gz") as tar:
        for i in range(n_docs):
            topic = rng.choice(sorted(topics))
            words = topics[topic]
            sentences = []
            for _ in range(rng.randint(6, 12)):
                tokens = [rng.choice(words) if rng.random() < 0.6 else rng.choice(FILLER)]
                tokens += [
                    rng.choice(words) if rng.random() < 0.6 else rng.choice(FILLER)
                    for _ in range(rng.randint(6, 14))
                ]
                sentences.append(" ".join(tokens) + ".")
            body = (
                f"From: user{i}@example.com\nSubject: about {topic}\nLines: 12\n\n"
                f"In article <{i}@news.example.com> someone writes:\n> quoted {topic} text\n"
                + "\n".join(sentences)
                + "\n-- \nsignature line 555-1234\n"
            ).encode("latin-1")
            part = "20news-bydate-train" if i % 3 else "20news-bydate-test"
            info = tarfile.TarInfo(f"{part}/{topic}/{10000 + i}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def write_word_lists(folder: Path) -> Path:
    """The four Hat word lists, made of the sample corpus's topic words."""
    sub = folder / "hat-vocab"
    sub.mkdir(parents=True, exist_ok=True)
    names = ("nouns_top_50", "adjectives_top_50", "verbs_top_50", "topic_finance_frequent_words")
    picks = (
        ["money", "rocket", "software", "team", "church"],
        ["solar", "christian", "nasa"],
        ["launch", "pay", "win"],
        ["bank", "loan", "stock", "tax"],
    )
    for name, words in zip(names, picks, strict=True):
        (sub / f"{name}.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    return folder
