"""Reading 20 Newsgroups the ways students do.

Every recipe starts from the same posts (both parts of the tar.gz, latin-1, headers included),
but each author prepares them differently, and that is a large part of why their bots disagree
with ours: the fastText demo keeps every raw line with its headers, a gensim student lowercases
and drops stop words, an sklearn student lets ``TfidfVectorizer`` tokenize bodies without headers.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

_WORDS = re.compile(r"[a-z]+")
RAW_LINES = "20-newsgroups.txt"


@dataclass
class Posts:
    """The corpus's posts (read once; forked trainers share them) and a scratch folder for the
    files a library wants on disk.
    """

    texts: list[str]
    folder: Path

    def raw_lines_file(self) -> Path:
        """The demo notebook's corpus file, every line of every post as UTF-8, written once."""
        path = self.folder / RAW_LINES
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{RAW_LINES}.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.writelines(p if p.endswith("\n") else p + "\n" for p in self.texts)
            Path(tmp).replace(path)
        return path


def lower_split(post: str) -> list[str]:
    """The course recipe: lowercase, split on whitespace, nothing else."""
    return post.lower().split()


# sklearn's fetch_20newsgroups(remove=("headers", "footers", "quotes")), which its documentation
# recommends and most sklearn students copy; re-implemented because those helpers are private
_QUOTE_HEADERS = re.compile(
    r"(writes in|writes:|wrote:|says:|said:|^In article|^Quoted from|^\||^>)"
)


def strip_header(text: str) -> str:
    """Everything after the first blank line (sklearn's ``strip_newsgroup_header``)."""
    _, _, after = text.partition("\n\n")
    return after


def strip_quoting(text: str) -> str:
    """Quoted lines and attributions dropped (sklearn's ``strip_newsgroup_quoting``)."""
    return "\n".join(line for line in text.split("\n") if not _QUOTE_HEADERS.search(line))


def strip_footer(text: str) -> str:
    """A signature block after the last '--'-like line dropped (sklearn's
    ``strip_newsgroup_footer``).
    """
    lines = text.strip().split("\n")
    line_num = 0
    for line_num in range(len(lines) - 1, -1, -1):
        if lines[line_num].strip().strip("-") == "":
            break
    if line_num > 0:
        return "\n".join(lines[:line_num])
    return text


def sklearn_body(post: str) -> str:
    """A post as ``fetch_20newsgroups(remove=("headers", "footers", "quotes"))`` returns it."""
    return strip_quoting(strip_footer(strip_header(post)))


def letter_tokens(text: str) -> list[str]:
    """Lowercase runs of ASCII letters: the one-line regex tokenizer of many notebooks."""
    return _WORDS.findall(text.lower())
