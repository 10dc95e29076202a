"""A SYNTHETIC stand-in for the full RockYou list, for the scale benchmark (never real data).

Usage: python -m benchmarks.rockyou_standin OUT_DIR [--rows 14344391] [--seed 20261203]
                                                    [--mirror ../shared/data]

The mirror holds only the head of the list (the 99,881 passwords counted at least 23 times); the
publisher's file has 14,344,391 distinct passwords summing to 32,603,388. This writes a file of
the publisher's name and format (``rockyou-withcount.txt.tar.gz``: one member, lines of a
right-aligned count, a space, the password, most common first) made of the real head and a
synthetic tail of the published shape: its rows and its sum (20,655,441 over 14,244,510 rows)
spread over counts 1 to 22 by a power law fitted to them, and strings that look like passwords
(head passwords with digits, years or symbols added, two joined, character n-gram samples of the
head, random strings), distinct and absent from the head. ``--rows`` scales the tail for the
growth table (the head stays whole). The same seed gives the same bytes.

OUT_DIR then works as a ``DATA_MIRROR``: the external leak of the mirror is linked beside it.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from pipeline.config import ROOT
from pipeline.data.sources import PHPBB, ROCKYOU

PUBLISHED_ROWS = 14_344_391
PUBLISHED_TOTAL = 32_603_388
TAIL_COUNTS = np.arange(1, 23)
HEAD_FILE = ROCKYOU.alternatives[0].filename
MEMBER = "rockyou-withcount.txt"


def read_head(mirror: Path) -> list[tuple[int, str]]:
    """The mirror's head: (count, password) lines as published."""
    rows = []
    with gzip.open(mirror / HEAD_FILE, "rb") as fh:
        for raw in fh:
            line = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
            count, _, password = line.lstrip(" \t").partition(" ")
            rows.append((int(count), password))
    return rows


def tail_shape(head: list[tuple[int, str]], rows: int) -> dict[int, int]:
    """Rows per count 1..22: a power law n_c ~ c**-a fitted to the published tail's rows and sum,
    scaled to ``rows`` distinct passwords in all.
    """
    head_rows, head_sum = len(head), sum(c for c, _ in head)
    published_tail, tail_sum = PUBLISHED_ROWS - head_rows, PUBLISHED_TOTAL - head_sum

    def mean_gap(a: float) -> float:
        w = TAIL_COUNTS ** (-a)
        return float((TAIL_COUNTS * w).sum() / w.sum()) - tail_sum / published_tail

    a = brentq(mean_gap, 1.0, 6.0)
    weights = TAIL_COUNTS ** (-a) / (TAIL_COUNTS ** (-a)).sum()
    n_tail = max(rows - head_rows, 0)
    shape = {int(c): round(float(w) * n_tail) for c, w in zip(TAIL_COUNTS, weights, strict=True)}
    shape[1] += n_tail - sum(shape.values())
    return shape


class Strings:
    """Password-like strings, distinct and absent from the head, from a seeded generator."""

    def __init__(self, head: list[tuple[int, str]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen = {p for _, p in head}
        self.words = [p for c, p in head if p.isalpha() and 3 <= len(p) <= 10]
        self.bases = [p for _, p in head[:50_000] if p]
        grams: dict[str, Counter[str]] = defaultdict(Counter)
        for count, p in head[:60_000]:
            s = "\x02\x02" + p + "\x03"
            for i in range(len(s) - 2):
                grams[s[i : i + 2]][s[i + 2]] += 1 + int(count > 100)
        self.grams = {k: (list(v), list(np.cumsum(list(v.values())))) for k, v in grams.items()}

    def _markov(self) -> str:
        out, context = [], "\x02\x02"
        while len(out) < 24:
            choices, cum = self.grams.get(context, (["\x03"], [1]))
            ch = self.rng.choices(choices, cum_weights=cum)[0]
            if ch == "\x03":
                break
            out.append(ch)
            context = context[1] + ch
        return "".join(out)

    def one(self) -> str:
        """One candidate: a head password edited or joined, an n-gram sample, or random."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.35:
            s = rng.choice(self.bases) + str(rng.randint(0, 9999))
        elif kind < 0.45:
            s = rng.choice(self.words).capitalize() + str(rng.randint(1950, 2012))
        elif kind < 0.55:
            s = rng.choice(self.words) + rng.choice(self.words)
        elif kind < 0.62:
            s = rng.choice(self.bases) + rng.choice("!@#$%&*.?_-")
        elif kind < 0.95:
            s = self._markov()
        else:
            alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
            s = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 14)))
        return s

    def fresh(self) -> str:
        """A candidate never made before and absent from the head."""
        while True:
            s = self.one()
            if s and "\n" not in s and s not in self.seen:
                self.seen.add(s)
                return s


def write_standin(out_dir: Path, mirror: Path, rows: int, seed: int) -> Path:
    """Write the stand-in and link the mirror's external leak beside it; returns the archive."""
    head = read_head(mirror)
    shape = tail_shape(head, rows)
    strings = Strings(head, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_tail = sum(shape.values())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        text = Path(tmp) / MEMBER
        with text.open("w", encoding="utf-8", errors="surrogateescape", newline="\n") as fh:
            for count, password in head:
                fh.write(f"{count:>7} {password}\n")
            done = 0
            for count in sorted(shape, reverse=True):
                for _ in range(shape[count]):
                    fh.write(f"{count:>7} {strings.fresh()}\n")
                    done += 1
                    if done % 1_000_000 == 0:
                        rate = done / (time.perf_counter() - started)
                        print(
                            f"  synthetic tail: {done:,}/{n_tail:,} strings "
                            f"({rate:,.0f}/s, ~{(n_tail - done) / rate:.0f}s left)",
                            file=sys.stderr,
                            flush=True,
                        )
        archive = out_dir / ROCKYOU.filename
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            info = tar.gettarinfo(str(text), arcname=MEMBER)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with text.open("rb") as src:
                tar.addfile(info, src)
        partial.replace(archive)
    leak = out_dir / PHPBB.filename
    if not leak.exists() and (mirror / PHPBB.filename).exists():
        leak.symlink_to((mirror / PHPBB.filename).resolve())
    tail_sum = sum(c * n for c, n in shape.items())
    print(
        f"SYNTHETIC stand-in, not real data: {archive} holds the real head "
        f"({len(head):,} rows, counts >= {min(c for c, _ in head)}) and a synthetic tail of "
        f"{n_tail:,} rows summing to {tail_sum:,} (counts 1-22, power law): {len(head) + n_tail:,} "
        f"distinct passwords; written in {time.perf_counter() - started:.0f}s"
    )
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--rows", type=int, default=PUBLISHED_ROWS, help="distinct passwords")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    if not (args.mirror / HEAD_FILE).exists():
        print(f"error: {args.mirror / HEAD_FILE} not found; pass --mirror DIR", file=sys.stderr)
        return 2
    write_standin(args.out_dir, args.mirror, args.rows, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
