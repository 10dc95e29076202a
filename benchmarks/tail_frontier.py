"""How the tail's promotion threshold trades Spearman against AUC on an external leak's TUNING part.

Usage: python -m benchmarks.tail_frontier [--leak phpbb] [--models-dir models]
                                          [--times-rarest 2.0 2.4 2.8 3.2 4.0]

Scores the tuning part of a prepared leak (``python -m pipeline.passwords prepare``) with the
production model's estimate and, for each promotion threshold given
(``passwords.tail.promote_above`` in multiples of the list's rarest frequency), the served
frequencies that threshold would give: the share of absent strings promoted to the list's bound, and
Spearman and AUC against the plain lookup of the list. The held-out part is never read here: this is
the tool for the tuning choice, and the held-out part judges it in the stage's report.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

from pipeline.config import Paths
from pipeline.passwords.external import load_leaks, ranking_metrics
from pipeline.passwords.features import hash_all
from pipeline.passwords.model import PasswordModel
from pipeline.registry.store import production_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leak", default="phpbb")
    parser.add_argument("--models-dir", type=Path, default=Paths.from_env().models)
    parser.add_argument("--times-rarest", type=float, nargs="+", default=[2.0, 2.4, 2.8, 3.2, 4.0])
    args = parser.parse_args(argv)
    model = PasswordModel.load(production_dir(args.models_dir, "passwords"))
    if model.listed is None or model.tail is None:
        print("the production model has no tail (trained before it existed); retrain it")
        return 1
    (leak,) = load_leaks(Paths.from_env().processed, [args.leak])
    tuning = leak.parts == "tuning"
    passwords = [p for p, t in zip(leak.passwords, tuning, strict=True) if t]
    counts = leak.counts[tuning]
    lookup = np.nan_to_num(model.listed.frequency_of(hash_all(passwords)), nan=0.0)
    absent = lookup == 0
    strings = [p for p, a in zip(passwords, absent, strict=True) if a]
    estimate, lengths = model.estimate(strings), np.array([len(p) for p in strings])
    base = ranking_metrics(lookup, counts)
    print(f"leak {args.leak}, tuning part: {len(passwords):,} strings, {absent.sum():,} absent")
    print(f"lookup: Spearman {base['spearman']:.4f}  AUC {base['auc']:.4f}")
    head = ("x rarest", "promoted", "Spearman", "vs lookup", "AUC", "vs lookup")
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, (13, 9, 9, 10, 7, 10), strict=True)))
    for times in args.times_rarest:
        threshold = times * model.tail.rarest
        tail = dataclasses.replace(model.tail, promote_above=threshold)
        served = lookup.copy()
        served[absent] = tail.frequencies(estimate, lengths)
        got = ranking_metrics(served, counts)
        share = float(np.mean(estimate >= threshold))
        print(
            f"{times:>13.2f} {share:>9.1%} {got['spearman']:>9.4f} "
            f"{got['spearman'] - base['spearman']:>+10.4f} {got['auc']:>7.4f} "
            f"{got['auc'] - base['auc']:>+10.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
