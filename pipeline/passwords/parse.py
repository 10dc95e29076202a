"""Read password frequency lists into one table, keeping every line that does not parse.

Two formats are accepted: RockYou's ``count password`` lines (plain, ``.gz`` or ``.tar.gz``,
streamed by :mod:`.listing` with the line grammar below) and a CSV with ``Password,Times``
columns (the Kaggle competitions' format, ``Times`` being the frequency per million, read here).
A password is any string, spaces and the empty string included, so parsing never strips or
splits the password itself. Lines that fail are returned with a reason and a masked preview,
because a bad line is still a leaked password and must not be printed in clear.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import tarfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import PipelineError


class DataFormatError(PipelineError, ValueError):
    """A file in neither accepted format; the message says what was expected."""


COUNT_LINE = re.compile(r"[ \t]*(\d+)(?: (.*))?", re.DOTALL)
PREVIEW_CHARS = 24


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read, with why; ``preview`` masks everything but the count."""

    line_no: int
    reason: str
    preview: str


@dataclass
class Parsed:
    """The rows read (``password``, ``count``, ``frequency``) and the lines that were not."""

    frame: pd.DataFrame
    n_lines: int
    fmt: str
    bad_lines: list[BadLine] = field(default_factory=list)


def mask(text: str) -> str:
    """Hide a line's password characters while keeping its shape (leading count, length)."""
    match = re.match(r"[ \t]*\d*[ \t]?", text)
    head = match.group(0) if match else ""
    rest = text[len(head) :]
    shown = head + "•" * min(len(rest), PREVIEW_CHARS)
    return shown + (f"… ({len(rest)} chars)" if len(rest) > PREVIEW_CHARS else "")


def _frame(passwords: list[str], counts: list[float], freqs: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "password": pd.Series(passwords, dtype=object),
            "count": pd.Series(counts, dtype="float64"),
            "frequency": pd.Series(freqs, dtype="float64"),
        }
    )


def strip_newline(raw: bytes) -> bytes:
    """The line without its line ending (LF or CRLF): the rest is the password."""
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    return raw[:-1] if raw.endswith(b"\n") else raw


def parse_frequency_csv(text_lines: Iterable[str]) -> Parsed:
    """Parse a ``Password,Times`` CSV (Times = frequency per million); other columns are ignored."""
    reader = csv.reader(text_lines)
    header = next(reader, None)
    if header is None:
        return Parsed(_frame([], [], []), 0, "frequency-csv", [BadLine(1, "empty file", "")])
    names = [h.strip().lower() for h in header]
    if "password" not in names or "times" not in names:
        raise DataFormatError(
            f"a frequency CSV needs 'Password' and 'Times' columns; found {header}"
        )
    i_pw, i_times = names.index("password"), names.index("times")
    passwords: list[str] = []
    freqs: list[float] = []
    bad: list[BadLine] = []
    line_no = 1
    for row in reader:
        line_no = reader.line_num
        if len(row) != len(header):
            reason = f"{len(row)} fields, the header has {len(header)}"
            bad.append(BadLine(line_no, reason, mask(",".join(row))))
            continue
        password = row[i_pw]
        if _has_surrogates(password):
            bad.append(BadLine(line_no, "not valid UTF-8", mask(password)))
            continue
        try:
            times = float(row[i_times])
        except ValueError:
            bad.append(BadLine(line_no, "Times is not a number", mask(password)))
            continue
        if not math.isfinite(times):
            bad.append(BadLine(line_no, "Times is not finite", mask(password)))
            continue
        passwords.append(password)
        freqs.append(times)
    return Parsed(_frame(passwords, [math.nan] * len(freqs), freqs), line_no, "frequency-csv", bad)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def open_lines(path: Path) -> tuple[bytes, Iterator[bytes], Callable[[], float]]:
    """A file's raw lines, looking inside ``.gz`` and single-file ``.tar.gz`` archives: its first
    line (to tell the format), an iterator over every line (the first included, the file closed
    at its end), and a function giving the share of the file's bytes read so far (for progress).
    """
    size = max(path.stat().st_size, 1)
    raw = path.open("rb")
    name = path.name.lower()
    try:
        if name.endswith((".tar.gz", ".tgz", ".tar")):
            tar = tarfile.open(fileobj=raw, mode="r:*")  # noqa: SIM115 (closed with raw)
            member = tar.next()  # the first member; getmembers() would read the whole archive
            while member is not None and not member.isfile():
                member = tar.next()
            if member is None:
                raise DataFormatError(f"{path} holds no file")
            fh = tar.extractfile(member)
            assert fh is not None  # a regular member always has a file object
        elif name.endswith(".gz"):
            fh = gzip.GzipFile(fileobj=raw, mode="rb")
        else:
            fh = raw
        first = fh.readline()
    except BaseException:
        raw.close()
        raise

    def lines() -> Iterator[bytes]:
        try:
            if first:
                yield first
            yield from fh
        finally:
            raw.close()

    return first, lines(), lambda: raw.tell() / size


def read_frequency_csv(lines: Iterable[bytes]) -> Parsed:
    """Parse a ``Password,Times`` CSV given as raw lines. A row may span lines (a quoted newline),
    so the csv module reads the text whole; such lists are small by nature.
    """
    text = b"".join(lines).decode("utf-8", errors="surrogateescape")
    return parse_frequency_csv(io.StringIO(text, newline=""))
