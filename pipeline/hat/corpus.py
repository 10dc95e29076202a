"""Read and clean the 20 Newsgroups corpus straight from its tar.gz.

The Hat rules allow training on 20 Newsgroups only, so this module is the single entry point for
text. It returns both the cleaned sentences (for our player and the count baseline) and the raw
lowercased whitespace tokens (for the "course recipe" baseline, which deliberately skips cleaning).
"""

from __future__ import annotations

import hashlib
import pickle
import re
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PARTS = ("20news-bydate-train", "20news-bydate-test")

_EMAIL = re.compile(r"\S+@\S+")
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^\s*in article\b|\b(?:writes|wrote|says|said)\s*:\s*$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?;:]+(?:\s|$)|\n\s*\n")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_HAS_DIGIT = re.compile(r"\d")
_LOWER_WORD = re.compile(r"(?<![\w'])[a-z]+(?![\w'])")
_LONG_CHUNK = re.compile(r"\S{25,}")


def _is_binary(line: str) -> bool:
    """Uuencoded attachments (e.g. in comp.os.ms-windows.misc) tokenize into floods of 'ax'."""
    for chunk in _LONG_CHUNK.findall(line):
        if sum(ch.isalpha() for ch in chunk) < 0.6 * len(chunk):
            return True
    return False


@dataclass(frozen=True)
class Corpus:
    """Tokenized 20NG: cleaned sentences plus raw per-document tokens for the naive baseline."""

    sentences: list[list[str]]
    raw_docs: list[list[str]]
    n_docs: int
    lower_counts: Counter[str]  # occurrences written all-lowercase: names/acronyms rarely are
    doc_counts: Counter[str]  # posts a word occurs in: junk strings tend to live in one post

    @property
    def n_tokens(self) -> int:
        """Tokens in the cleaned sentences."""
        return sum(len(s) for s in self.sentences)

    def counts(self) -> Counter[str]:
        """Token frequencies of the cleaned sentences."""
        c: Counter[str] = Counter()
        for s in self.sentences:
            c.update(s)
        return c


def read_posts(tarball: Path) -> list[str]:
    """Return every post of both splits as text, in a fixed (sorted-path) order for determinism."""
    posts: dict[str, str] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.startswith(PARTS):
                continue
            f = tar.extractfile(member)
            if f is not None:
                posts[member.name] = f.read().decode("latin-1")
    return [posts[k] for k in sorted(posts)]


def strip_post(text: str) -> str:
    """Keep only the author's own words: headers, signature and quoted replies are not language
    the author wrote about the topic, and they inject names/addresses into the embeddings.
    """
    _, sep, body = text.partition("\n\n")
    body = body if sep else text
    kept: list[str] = []
    for line in body.split("\n"):
        if line.rstrip() == "--":
            break
        stripped = line.lstrip()
        if stripped.startswith((">", "|")) or _ATTRIBUTION.search(line) or _is_binary(line):
            continue
        kept.append(line)
    return "\n".join(kept)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; apostrophes are folded (don't -> dont) like the host's cleaning."""
    text = _URL.sub(" ", _EMAIL.sub(" ", text)).lower()
    return [t.replace("'", "") for t in _TOKEN.findall(text) if not _HAS_DIGIT.search(t)]


def _sentences(body: str) -> list[list[str]]:
    out = []
    for chunk in _SENTENCE_BREAK.split(body):
        toks = tokenize(chunk)
        if len(toks) > 1:
            out.append(toks)
    return out


def clean_sentences(text: str) -> list[list[str]]:
    """Split a post into sentences so that context windows do not run across them."""
    return _sentences(strip_post(text))


def raw_tokens(text: str) -> list[str]:
    """The course-recipe tokenization: lowercase + whitespace split, headers and all."""
    return text.lower().split()


def build_corpus(posts: list[str]) -> Corpus:
    """Pure transformation of posts into a Corpus."""
    sentences: list[list[str]] = []
    lower_counts: Counter[str] = Counter()
    doc_counts: Counter[str] = Counter()
    for p in posts:
        body = strip_post(p)
        lower_counts.update(_LOWER_WORD.findall(body))
        doc_sents = _sentences(body)
        doc_counts.update({t for s in doc_sents for t in s})
        sentences.extend(doc_sents)
    return Corpus(
        sentences=sentences,
        raw_docs=[raw_tokens(p) for p in posts],
        n_docs=len(posts),
        lower_counts=lower_counts,
        doc_counts=doc_counts,
    )


def load_corpus(tarball: Path, cache_dir: Path | None = None) -> Corpus:
    """Load the corpus, reusing a pickle keyed on the tarball's size+mtime and this file's code."""
    cache_file = None
    if cache_dir is not None:
        st = tarball.stat()
        key = hashlib.sha1(
            f"{tarball.resolve()}:{st.st_size}:{st.st_mtime_ns}".encode()
            + Path(__file__).read_bytes()
        ).hexdigest()[:12]
        cache_file = Path(cache_dir) / f"corpus-{key}.pkl"
        if cache_file.exists():
            with cache_file.open("rb") as f:
                return pickle.load(f)
    corpus = build_corpus(read_posts(tarball))
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(corpus, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
    return corpus
