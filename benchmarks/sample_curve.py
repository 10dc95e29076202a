"""The learning curve of the tail sample: how many rows per count the fit needs.

Usage: python -m benchmarks.sample_curve RUN_DIR [--per-count 5000 12500 25000 50000]
                                                 [--work DIR]

``RUN_DIR`` is a run of the scale benchmark (``benchmarks.password_scale``), prepared with
``passwords.sample.per_count`` at least the largest value asked: its ``data/processed`` holds the
kept rows, the whole list's hashes and counts and the prepared external leak. For each value ``k``
the kept rows are cut to what ``prepare`` would have kept with ``per_count: k`` (per count, the
``k`` rows of smallest hash, weighted by the rows they stand for), and ``python -m
pipeline.passwords train`` runs on them in a folder of its own. Each model's estimate is then
scored on one fixed evaluation set, the test split of ``RUN_DIR`` (never in any fit: the split is
by the password's hash), with each row weighted as sampled so the numbers stand for the whole
list; beside it the train stage's own numbers on the tuning half of the external leak (the
held-out half is not looked at), its wall time, peak memory and the artifact's size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from benchmarks.password_scale import run_env, run_measured
from pipeline.config import ROOT
from pipeline.data.sources import ROCKYOU_TOTAL
from pipeline.passwords.features import hash_all
from pipeline.passwords.model import PasswordModel
from pipeline.passwords.prepare import DATASET, DATASET_INFO, LISTED, NAME, load_dataset
from pipeline.registry.store import production_dir

EXTERNAL = "external"


def counts_of(frame: pd.DataFrame) -> np.ndarray:
    """Each row's count in the list, from its frequency per million."""
    return np.rint(frame["frequency"].to_numpy() * ROCKYOU_TOTAL / 1e6).astype(np.int64)


def cut(frame: pd.DataFrame, per_count: int, rows_per_count: dict[int, int]) -> pd.DataFrame:
    """The rows ``prepare`` keeps with ``per_count`` from a bigger sample of the same list (per
    count, the rows of smallest hash), weighted by the rows of the list each stands for.
    """
    frame = frame.assign(count=counts_of(frame), key=hash_all(frame["password"].tolist()))
    kept = frame.sort_values("key", kind="stable").groupby("count", sort=False).head(per_count)
    kept = kept.sort_index()  # the file's order, as prepare keeps it
    per = kept.groupby("count")["password"].transform("size")
    weight = kept["count"].map(rows_per_count) / per
    return kept.drop(columns=["key", "count"]).assign(weight=weight.to_numpy())


def write_processed(
    source: Path, frame: pd.DataFrame, info: dict[str, Any], k: int, dest: Path
) -> None:
    """A ``data/processed`` folder with ``frame`` as its dataset, sharing the rest of ``source``."""
    folder = dest / NAME
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / DATASET, index=False, compression="gzip")
    splits = frame["split"].value_counts()
    info = info | {
        "kept_rows": len(frame),
        "splits": {s: int(splits.get(s, 0)) for s in ("train", "validation", "test")},
        "sample_per_count": k,
    }
    (folder / DATASET_INFO).write_text(json.dumps(info, indent=2))
    for name in (LISTED, EXTERNAL):
        (folder / name).symlink_to(source / NAME / name)


def weighted_rmsle(pred: np.ndarray, true: np.ndarray, weight: np.ndarray) -> float:
    """RMSLE with each row counted ``weight`` times."""
    err = (np.log1p(pred) - np.log1p(true)) ** 2
    return float(np.sqrt(np.sum(weight * err) / np.sum(weight)))


def one_point(
    run: Path, frame: pd.DataFrame, info: dict[str, Any], k: int, work: Path
) -> dict[str, Any]:
    """Train on the cut of ``k`` rows per count; score it."""
    folder = work / f"per-count-{k}"
    shutil.rmtree(folder, ignore_errors=True)
    rows_per_count = {int(c): int(n) for c, n in info["rows_per_count"].items()}
    kept = cut(frame, k, rows_per_count)
    write_processed(run / "data" / "processed", kept, info, k, folder / "data" / "processed")
    env = run_env(folder, run / "unused-mirror")
    print(f"== per_count {k:,}: training on {len(kept):,} kept rows", file=sys.stderr)
    wall, peak = run_measured(
        [sys.executable, "-m", "pipeline.passwords", "train"], env, folder / "train.log"
    )
    model_dir = production_dir(folder / "models", NAME)
    model = PasswordModel.load(model_dir)
    test = frame[frame["split"] == "test"]
    estimate = model.estimate(test["password"].tolist())
    true, weight = test["frequency"].to_numpy(), test["weight"].to_numpy()
    report = json.loads((folder / "reports" / NAME / "metrics.json").read_text())
    tuning = {name: leak["tuning"]["model"] for name, leak in report["external"].items()}
    return {
        "per_count": k,
        "kept_rows": len(kept),
        "fit_rows": int((kept["split"] != "test").sum()),
        "train_wall_seconds": round(wall, 1),
        "train_peak_rss_mb": round(peak),
        "boosting_rounds": json.loads((model_dir / "metadata.json").read_text())["boosting_rounds"],
        "artifact_mb": round(
            sum(f.stat().st_size for f in model_dir.rglob("*") if f.is_file()) / 1e6, 1
        ),
        "fixed_test_rows": len(test),
        "fixed_test_weighted_rmsle": weighted_rmsle(estimate, true, weight),
        "fixed_test_rmsle": weighted_rmsle(estimate, true, np.ones(len(true))),
        "fixed_test_spearman": float(spearmanr(estimate, true).statistic),
        "external_tuning": tuning,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a run folder of benchmarks.password_scale")
    parser.add_argument("--per-count", type=int, nargs="+", default=[5000, 12500, 25000, 50000])
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "scale" / "sample-curve")
    args = parser.parse_args(argv)
    processed = args.run / "data" / "processed"
    if not (processed / NAME / DATASET).exists():
        print(
            f"{processed / NAME / DATASET} not found: pass a run folder of "
            "python -m benchmarks.password_scale",
            file=sys.stderr,
        )
        return 2
    frame, info = load_dataset(processed)
    largest = int(info.get("sample_per_count", 0))
    if max(args.per_count) > largest:
        print(f"the run kept {largest:,} rows per count: ask no more than that", file=sys.stderr)
        return 2
    points = [one_point(args.run, frame, info, k, args.work) for k in sorted(args.per_count)]
    print(
        f"learning curve of the tail sample on {args.run} (a SYNTHETIC stand-in); fixed test "
        f"set: its test split, {points[0]['fixed_test_rows']:,} rows weighted as sampled"
    )
    print(
        f"{'per_count':>9} {'kept':>10} {'train s':>8} {'peak MB':>8} {'rounds':>6} "
        f"{'wRMSLE':>7} {'RMSLE':>7} {'Spearman':>8} {'MB':>6}  external tuning half (Spearman, "
        "AUC)"
    )
    for p in points:
        ext = "; ".join(
            f"{n} {m['spearman']:.4f} {m['auc']:.4f}" for n, m in p["external_tuning"].items()
        )
        print(
            f"{p['per_count']:>9,} {p['kept_rows']:>10,} {p['train_wall_seconds']:>8.0f} "
            f"{p['train_peak_rss_mb']:>8,} {p['boosting_rounds']:>6} "
            f"{p['fixed_test_weighted_rmsle']:>7.4f} {p['fixed_test_rmsle']:>7.4f} "
            f"{p['fixed_test_spearman']:>8.4f} {p['artifact_mb']:>6.1f}  {ext}"
        )
    out = args.work / "sample_curve.json"
    out.write_text(json.dumps(points, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
