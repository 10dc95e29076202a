"""Expectations on the password table, checked before any training.

Each check returns a verdict and a line of evidence; the report is printed and saved, and a failed
check stops the pipeline. Evidence never shows a password in clear: bad lines are masked, and a
duplicate is reported by count only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.errors import PipelineError

if TYPE_CHECKING:
    from pipeline.passwords.listing import Listing


class DataCheckError(PipelineError):
    """The data violates an expectation; the message lists the failed checks."""


@dataclass(frozen=True)
class Check:
    """One expectation and what was found."""

    name: str
    passed: bool
    detail: str


def run_checks(
    listing: Listing, *, min_rows: int, max_rows: int, max_bad_fraction: float
) -> list[Check]:
    """Check parsing, encoding, counts, uniqueness and size of a password list."""
    n_lines = max(listing.n_lines, 1)
    n_encoding = listing.bad_by_reason.get("not valid UTF-8", 0)
    n_unparsed = listing.n_bad - n_encoding
    encoding = [b for b in listing.bad_lines if b.reason == "not valid UTF-8"]
    unparsed = [b for b in listing.bad_lines if b.reason != "not valid UTF-8"]
    freq = listing.frequencies
    non_positive = int((~(freq > 0)).sum())  # also counts NaN
    infinite = int((~np.isfinite(freq)).sum())  # NaN too, as it is no count either
    duplicates = listing.duplicates()
    n = len(listing.hashes)
    limit = f"at most {max_bad_fraction:.2%} of {listing.n_lines:,} lines allowed"
    return [
        Check(
            "lines parse",
            n_unparsed / n_lines <= max_bad_fraction,
            f"{n_unparsed:,} lines do not parse ({limit})" + _examples(unparsed, n_unparsed),
        ),
        Check(
            "text is valid UTF-8",
            n_encoding / n_lines <= max_bad_fraction,
            f"{n_encoding:,} lines are not valid UTF-8 ({limit})" + _examples(encoding, n_encoding),
        ),
        Check(
            "counts positive",
            non_positive == 0 and infinite == 0,
            f"{non_positive:,} rows with a count or frequency <= 0, {infinite:,} not finite",
        ),
        Check(
            "no duplicate passwords",
            duplicates == 0,
            f"{duplicates:,} passwords appear more than once",
        ),
        Check(
            "plausible row count",
            min_rows <= n <= max_rows,
            f"{n:,} rows (expected {min_rows:,} to {max_rows:,})",
        ),
    ]


def _examples(shown: list, total: int) -> str:
    if not shown:
        return ""
    listed = "; ".join(f"line {b.line_no}: {b.reason}: {b.preview!r}" for b in shown)
    more = f"; and {total - len(shown):,} more" if total > len(shown) else ""
    return f": {listed}{more}"


def format_report(checks: list[Check]) -> str:
    """A human-readable report, one line per check."""
    lines = ["data checks:"]
    lines += [f"  [{'PASS' if c.passed else 'FAIL'}] {c.name}: {c.detail}" for c in checks]
    return "\n".join(lines)


def as_records(checks: list[Check]) -> list[dict]:
    """JSON-ready form, stored with the processed data and the model's metadata."""
    return [asdict(c) for c in checks]


def enforce(checks: list[Check]) -> None:
    """Stop the pipeline when any expectation failed."""
    failed = [c for c in checks if not c.passed]
    if failed:
        names = ", ".join(c.name for c in failed)
        raise DataCheckError(f"data checks failed: {names} (see the report above)")
