"""Serving benchmark of the production Hat player: load time, RSS, explain/guess latency.

Usage: python -m benchmarks.hat_player [--models-dir models]
Run in a fresh process, so RSS is what a gunicorn worker would hold. Targets:
explain and guess p99 <= 20 ms in process; loaded player <= 250 MB RSS; load <= 2 s.
10 clues, as the host asks. Words: the four Hat lists (from data/raw/hat-vocab) with odd input,
and 300 words drawn uniformly from the vocabulary (mostly rare words). ``explain`` is the served
call: a lookup for the words precomputed at training (pipeline/hat/explain_table.py), otherwise
computed on the call; the last explain line computes every known word on the call, which also
checks that the table holds exactly the live answers.
BLAS runs one thread, as in a gunicorn worker (gunicorn.conf.py): on two cores shared with other
work, a multi-threaded matrix product waits for a free core and the tail latency triples.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy loads, as gunicorn.conf.py does

from pipeline.config import Paths  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    paths = Paths.from_env()
    parser.add_argument("--models-dir", type=Path, default=paths.models)
    args = parser.parse_args()
    from pipeline.registry.store import production_dir

    folder = production_dir(args.models_dir, "hat") / "player"
    start = time.perf_counter()
    from pipeline.hat.player import HatPlayer, normalize_word

    player = HatPlayer.load(folder)
    load_s = time.perf_counter() - start
    rss_load = rss_mb()

    import numpy as np

    lists = sorted((paths.raw / "hat-vocab").glob("*.txt"))
    host = [w.strip().lower() for p in lists for w in p.read_text().splitlines() if w.strip()]
    rng = np.random.default_rng(0)
    rare = [str(w) for w in rng.choice(player.words, 300, replace=False)]
    odd = ["Ünïcode", "qwzxqwzx", "MONEY", "", "real estate", "42", "e-mail"]
    served: dict[str, list[float]] = {"host": [], "random": []}
    live_s, guess_s = [], []
    for group, words in (("host", host + odd), ("random", rare)):
        for word in words:
            t = time.perf_counter()
            clues = player.explain(word, 10)
            served[group].append(time.perf_counter() - t)
            key = normalize_word(word)
            if key in player.index:
                t = time.perf_counter()
                if player.explain_live(key, 10) != clues:
                    sys.exit(f"the table and the live explainer disagree on {word!r}")
                live_s.append(time.perf_counter() - t)
            for k in range(1, len(clues) + 1):
                t = time.perf_counter()
                player.guess(clues[:k], 5)
                guess_s.append(time.perf_counter() - t)

    def line(name: str, xs: list[float]) -> str:
        ms = np.array(xs) * 1000
        return (
            f"{name}: n={len(ms)} p50 {np.percentile(ms, 50):.2f} ms  "
            f"p99 {np.percentile(ms, 99):.2f} ms  max {ms.max():.2f} ms"
        )

    def held(words: list[str]) -> str:
        rows = [player.index.get(normalize_word(w)) for w in words]
        known = [r for r in rows if r is not None]
        return f"{sum(int(r) in tabled for r in known)} of {len(known)} known words in the table"

    tabled = set() if player.table_rows is None else set(player.table_rows.tolist())
    print(f"player {folder.parent.name}: loaded in {load_s:.2f} s")
    print(f"RSS after load {rss_load:.0f} MB, after the calls {rss_mb():.0f} MB")
    print(f"explanation table: {len(tabled)} words")
    print(line("explain, host lists + odd input", served["host"]) + f"  ({held(host)})")
    print(line("explain, random vocabulary     ", served["random"]) + f"  ({held(rare)})")
    print(line("explain computed on the call   ", live_s) + "  (every known word above)")
    print(line("guess                          ", guess_s))
    heavy = sorted(m for m in ("gensim", "sklearn", "scipy", "nltk") if m in sys.modules)
    print("heavy modules imported by serving:", heavy or "none")


if __name__ == "__main__":
    main()
