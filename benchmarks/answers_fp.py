"""How often the compact answers take an unlisted string for a listed one, and what it costs.

Usage: python -m benchmarks.answers_fp PROCESSED_DIR [--strings 1000000] [--keys 50000000]

``PROCESSED_DIR`` is a prepared ``data/processed`` folder of a big list (e.g. the scale
benchmark's ``RUN/data/processed`` for the full-size stand-in). Its listed rows are indexed both
ways, exactly (:class:`ExactAnswers`: sorted hashes and frequencies) and compactly
(:class:`CompactAnswers`, the served structure beyond ``passwords.sample.exact_up_to`` rows), and:

- every listed row is looked up in the compact index: it must come back with its own count (no
  false negative, no wrong count);
- random 16-character strings (``--strings``, hashed as the service hashes them) and random 64-bit
  keys (``--keys``: BLAKE2b's output is uniform, so a key stands for any unlisted string) are
  looked up: the share answered as listed is the false-positive rate, against the expected
  ``rows per bucket / 2 ** 16``;
- the effect on predictions: the counts a false positive gets, and how many of the random strings
  it lifts above one use in the list (the stage's ``random 16-character strings at or below one
  use`` check).
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.data.sources import ROCKYOU_TOTAL
from pipeline.passwords.answers import TAG_BITS, CompactAnswers, ExactAnswers
from pipeline.passwords.features import hash_all
from pipeline.passwords.prepare import LISTED, NAME

ALPHABET = string.ascii_letters + string.digits + string.punctuation
KEY_CHUNK = 5_000_000  # random keys looked up at a time


def random_strings(n: int, seed: int = 7) -> list[str]:
    """``n`` random 16-character strings of printable ASCII."""
    rng = random.Random(seed)
    return ["".join(rng.choices(ALPHABET, k=16)) for _ in range(n)]


@dataclass
class Measured:
    """What :func:`measure` found (see the module's docstring)."""

    rows: int
    tagged: int
    exact_rows: int
    bucket_bits: int
    rows_per_bucket: float
    build_seconds: float
    bytes_compact: float
    bytes_exact: float
    listed_wrong: int
    strings: int
    strings_listed: int
    strings_false_positive: int
    strings_lifted: int
    keys: int
    keys_false_positive: int
    false_positive_counts: dict[int, int]

    @property
    def expected_rate(self) -> float:
        """A key meets its bucket's tagged rows, each with one chance in 2 ** TAG_BITS."""
        return self.rows_per_bucket / 2**TAG_BITS

    def _bands(self) -> str:
        bands = {"1": (1, 1), "2-22": (2, 22), "23-255": (23, 255)}
        sums = {
            name: sum(n for c, n in self.false_positive_counts.items() if lo <= c <= hi)
            for name, (lo, hi) in bands.items()
        }
        return ", ".join(f"count {name} {n:,}" for name, n in sums.items())

    def report(self) -> str:
        """The measurements for people."""
        above_one = sum(n for c, n in self.false_positive_counts.items() if c > 1)
        return "\n".join(
            [
                f"{self.rows:,} listed rows: {self.tagged:,} tagged, {self.exact_rows:,} exact "
                f"(counts > 255 or a shared bucket and tag); 2^{self.bucket_bits} buckets, "
                f"{self.rows_per_bucket:.2f} tagged rows a bucket; built in "
                f"{self.build_seconds:.1f} s",
                f"bytes a row: compact {self.bytes_compact:.2f}, exact {self.bytes_exact:.2f}",
                f"listed rows answered with a wrong count or not at all: {self.listed_wrong:,}",
                f"false positives: {self.keys_false_positive:,} of {self.keys:,} random keys = "
                f"{self.keys_false_positive / max(self.keys, 1):.3g} "
                f"(expected {self.expected_rate:.3g})",
                f"  the counts they get: {self._bands()}; above one use: {above_one:,} "
                f"({above_one / max(self.keys, 1):.3g} of all keys)",
                f"random 16-character strings: {self.strings:,}, really listed "
                f"{self.strings_listed:,}, taken for listed {self.strings_false_positive:,}, "
                f"lifted above one use by that {self.strings_lifted:,}",
            ]
        )


def measure(processed: Path, n_strings: int, n_keys: int) -> Measured:
    """The measurements of the module's docstring."""
    with np.load(processed / NAME / LISTED) as arrays:
        hashes, counts = arrays["hashes"], arrays["counts"]
    started = time.perf_counter()
    compact = CompactAnswers.build(hashes, counts, ROCKYOU_TOTAL)
    build_seconds = time.perf_counter() - started
    exact = ExactAnswers.build(hashes, counts * 1e6 / ROCKYOU_TOTAL)
    compact_bytes = sum(getattr(compact, n).nbytes for n in CompactAnswers.ARRAYS)
    compact_bytes += compact.big.keys.nbytes + compact.big.frequencies.nbytes
    exact_bytes = exact.keys.nbytes + exact.frequencies.nbytes

    got = compact.frequency_of(hashes)
    wrong = int(np.sum(~np.isclose(got, counts * 1e6 / ROCKYOU_TOTAL, rtol=0, atol=1e-12)))

    one_use = 1e6 / ROCKYOU_TOTAL
    string_keys = hash_all(random_strings(n_strings))
    listed_really = ~np.isnan(exact.frequency_of(string_keys))
    string_answers = compact.frequency_of(string_keys)
    string_fp = ~np.isnan(string_answers) & ~listed_really

    rng = np.random.default_rng(11)
    fp_counts: Counter[int] = Counter()
    key_fp = 0
    for start in range(0, n_keys, KEY_CHUNK):
        size = min(KEY_CHUNK, n_keys - start)
        keys = rng.integers(-(2**63), 2**63 - 1, size=size, dtype=np.int64)
        answers = compact.frequency_of(keys)
        hit = ~np.isnan(answers) & np.isnan(exact.frequency_of(keys))
        key_fp += int(hit.sum())
        fp_counts.update(np.rint(answers[hit] * ROCKYOU_TOTAL / 1e6).astype(int).tolist())
    return Measured(
        rows=len(hashes),
        tagged=len(compact.tags),
        exact_rows=len(compact.big),
        bucket_bits=compact.bits,
        rows_per_bucket=len(compact.tags) / (len(compact.starts) - 1),
        build_seconds=build_seconds,
        bytes_compact=compact_bytes / len(hashes),
        bytes_exact=exact_bytes / len(hashes),
        listed_wrong=wrong,
        strings=n_strings,
        strings_listed=int(listed_really.sum()),
        strings_false_positive=int(string_fp.sum()),
        strings_lifted=int(np.sum(string_fp & (string_answers > one_use * (1 + 1e-9)))),
        keys=n_keys,
        keys_false_positive=key_fp,
        false_positive_counts=dict(sorted(fp_counts.items())),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("processed", type=Path, help="a prepared data/processed folder")
    parser.add_argument("--strings", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=50_000_000)
    args = parser.parse_args(argv)
    if not (args.processed / NAME / LISTED).exists():
        print(
            f"{args.processed / NAME / LISTED} not found: pass a prepared data/processed folder "
            "(python -m pipeline.passwords prepare, or the scale benchmark's run folder)",
            file=sys.stderr,
        )
        return 2
    print(measure(args.processed, args.strings, args.keys).report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
