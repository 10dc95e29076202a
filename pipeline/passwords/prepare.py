"""The password pipeline's ``prepare`` stage: fetch the list, read it in one pass, check it, split
it, and write what ``train`` reads.

Written under ``data/processed/passwords/``: ``dataset.csv.gz``, the rows the fit uses (password,
frequency, weight, split: every row of a list of the mirror's size; of a big list, a sample of its
crowded counts, :mod:`.listing`), ``listed.npz``, every listed password's hash and count (the
served model's exact answers), ``dataset.json``, their record, and ``checks.json``; then the
external leaks (:mod:`.external`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.config import Paths, section
from pipeline.data.fetch import fetch
from pipeline.data.sources import PASSWORD_SOURCES, ROCKYOU_TOTAL, source_for_location
from pipeline.errors import MissingInputError
from pipeline.files import write_json_atomic
from pipeline.passwords import evaluate as ev
from pipeline.passwords import external
from pipeline.passwords.answers import Answers, build_answers
from pipeline.passwords.checks import as_records, enforce, format_report, run_checks
from pipeline.passwords.listing import Listing, read_listing
from pipeline.passwords.split import assign_splits
from pipeline.progress import Progress

NAME = "passwords"
DATASET = "dataset.csv.gz"
DATASET_INFO = "dataset.json"
LISTED = "listed.npz"


def prepare(params: dict[str, Any], paths: Paths, location: str | None = None) -> Path:
    """Fetch the password list, check it, split it; write the table and its record."""
    log = Progress(NAME)
    cfg = section(params, NAME, ("source", "split", "checks", "sample"))
    where = location or cfg["source"]
    source = PASSWORD_SOURCES.get(where) or source_for_location(where, "passwords")
    log(f"fetching {source.name}")
    fetched = fetch(source, paths.raw)
    log(f"reading {fetched.path.name} ({fetched.note})")
    log.start()
    listing = read_listing(
        fetched.path,
        int(cfg["sample"]["per_count"]),
        progress=lambda n, share: log.pace("reading lines", n, share=share),
    )
    log(f"{len(listing.hashes):,} rows read, {len(listing.kept):,} kept in clear; data checks")
    checks = run_checks(listing, **cfg["checks"])
    print(format_report(checks))
    out_dir = paths.processed / NAME
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / "checks.json", as_records(checks))
    enforce(checks)

    frame = listing.kept[["password", "frequency", "weight"]].copy()
    frame["split"] = assign_splits(frame["password"], **cfg["split"])
    counts = frame["split"].value_counts().to_dict()
    info = {
        "data": fetched.as_dict(),
        "format": listing.fmt,
        "rows": len(listing.hashes),
        "kept_rows": len(frame),
        "bad_lines": listing.n_bad,
        "splits": {k: int(counts.get(k, 0)) for k in ("train", "validation", "test")},
        "split_fractions": cfg["split"],
        "min_frequency": float(listing.frequencies.min()),
        "list_kind": _list_kind(listing),
        "rows_per_count": {str(c): n for c, n in sorted(listing.rows_per_count.items())},
        "sample_per_count": int(cfg["sample"]["per_count"]),
    }
    log(f"writing the {len(frame):,} kept rows and the hashes of all {len(listing.hashes):,}")
    tmp = out_dir / f".{DATASET}.tmp"
    frame.to_csv(tmp, index=False, compression="gzip")
    tmp.replace(out_dir / DATASET)
    _save_listed(out_dir / LISTED, listing)
    write_json_atomic(out_dir / DATASET_INFO, info)
    log(
        f"{info['rows']:,} passwords ({info['list_kind']}), {len(frame):,} kept for the fit; "
        f"splits {info['splits']}"
    )
    external.prepare_leaks(params, paths, log, ev.zxcvbn_many)
    return out_dir


def _list_kind(listing: Listing) -> str:
    if listing.counts is None or not len(listing.counts):
        return "frequency list (no raw counts)"
    lowest = int(listing.counts.min())
    return "full list" if lowest <= 1 else f"head of the list (counts >= {lowest})"


def _save_listed(path: Path, listing: Listing) -> None:
    tmp = path.with_name(f".{path.stem}.tmp.npz")
    arrays = {"hashes": listing.hashes, "frequencies": listing.frequencies}
    if listing.counts is not None:
        arrays["counts"] = listing.counts
    np.savez(tmp, **arrays)
    tmp.replace(path)


def load_dataset(processed_dir: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The prepared table and its record; ``""`` and ``"null"`` stay the passwords they are."""
    out_dir = processed_dir / NAME
    if not (out_dir / DATASET).exists():
        raise MissingInputError(
            f"{out_dir / DATASET} not found; run the prepare stage first "
            "(python -m pipeline.passwords prepare, or ./run_all.sh passwords)"
        )
    frame = pd.read_csv(
        out_dir / DATASET,
        dtype={"password": str, "split": str},
        keep_default_na=False,
        na_filter=False,
    )
    if "weight" not in frame:  # prepared before lists were sampled: every row stands for one
        frame["weight"] = 1.0
    info = json.loads((out_dir / DATASET_INFO).read_text(encoding="utf-8"))
    return frame, info


def _listed_file(processed_dir: Path) -> Path:
    path = processed_dir / NAME / LISTED
    if not path.exists():
        raise MissingInputError(
            f"{path} not found; run the prepare stage again "
            "(python -m pipeline.passwords prepare, or ./run_all.sh passwords)"
        )
    return path


def load_listed_frequencies(processed_dir: Path) -> np.ndarray:
    """Every listed password's frequency per million (for the rank table)."""
    with np.load(_listed_file(processed_dir)) as arrays:
        return arrays["frequencies"]


def load_answers(processed_dir: Path, exact_up_to: int, total: int = ROCKYOU_TOTAL) -> Answers:
    """Every listed password's answer, exact or compact (:func:`build_answers`)."""
    with np.load(_listed_file(processed_dir)) as arrays:
        counts = arrays["counts"] if "counts" in arrays.files else None
        return build_answers(arrays["hashes"], arrays["frequencies"], counts, total, exact_up_to)
