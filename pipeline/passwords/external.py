"""Leaks of other sites: how the served model ranks passwords of sites it has never seen.

Each external leak (``passwords.external.sources``: names in :mod:`pipeline.data.sources`) is
fetched, parsed and checked like the training list, and never trained on. Its strings are split by
a hash of their own into a *tuning* part, which choices of features, weights and tail levels may
look at, and a *held-out* part, which no choice looks at and which is reported apart.

Three rankers score every string: the served model (the production artifact: every listed
password known, the rest at the tail's levels), a plain **lookup** of the training list (absent = 0)
and zxcvbn (``-guesses_log10``). Against the leak's own counts: Spearman, and the AUC of telling
reused strings (count >= 2) from one-offs, ties counted half; for the model also the censoring rate,
the share of strings absent from the training list predicted at or below its rarest frequency.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata, spearmanr

from pipeline.config import Paths, section
from pipeline.data.fetch import fetch
from pipeline.data.sources import EXTERNAL_SOURCES, source_for_location
from pipeline.errors import MissingInputError
from pipeline.files import read_json, write_json_atomic
from pipeline.passwords.checks import enforce, format_report, run_checks
from pipeline.passwords.listing import read_listing
from pipeline.progress import Progress

PARTS = ("tuning", "held_out")
LEAK_ROWS_KEPT = 10**9  # a leak is scored whole: every row of every count
FOLDER = "external"


def part_of(password: str) -> str:
    """The half of a leak a string belongs to: a hash of the string alone, independent of the
    training split's, so a string keeps its part across runs and data versions. The held-out half
    is the odd hashes; every tuning choice of the model was made looking at the even ones only.
    """
    digest = hashlib.blake2b(
        password.encode("utf-8", "surrogatepass"), digest_size=8, person=b"ext-holdout"
    ).digest()
    return "held_out" if int.from_bytes(digest, "little") % 2 else "tuning"


@dataclass(frozen=True)
class Leak:
    """One external leak as prepared: its strings, their counts, their parts, zxcvbn's scores."""

    name: str
    passwords: list[str]
    counts: np.ndarray
    parts: np.ndarray
    zxcvbn: np.ndarray
    info: dict[str, Any]


def prepare_leaks(
    params: dict[str, Any],
    paths: Paths,
    log: Progress,
    zxcvbn_many: Callable[..., np.ndarray],
) -> dict[str, dict[str, Any]]:
    """Fetch, parse, check and split each external leak; write it under ``processed``.

    zxcvbn's scores depend on the leak alone, so they are computed once per leak version and kept
    beside it (the slowest part of scoring a leak).
    """
    cfg = section(params, "passwords", ("external", "checks"))
    ext = cfg["external"]
    out_dir = paths.processed / "passwords" / FOLDER
    records = {}
    for entry in ext["sources"]:
        name = leak_name(entry)
        source = EXTERNAL_SOURCES.get(entry) or source_for_location(entry, "passwords")
        fetched = fetch(source, paths.raw)
        listing = read_listing(fetched.path, per_count=LEAK_ROWS_KEPT)
        checks = run_checks(listing, **cfg["checks"])
        print(format_report(checks).replace("data checks:", f"data checks of leak {name}:", 1))
        enforce(checks)
        frame = listing.kept[["password", "count"]].copy()
        frame["part"] = [part_of(p) for p in frame["password"]]
        table = out_dir / f"{name}.csv.gz"
        record_file = out_dir / f"{name}.json"
        old = read_json(record_file) or {}
        scores_file = out_dir / f"{name}-zxcvbn.npy"
        if old.get("data", {}).get("sha256") != fetched.sha256 or not scores_file.exists():
            log(f"leak {name}: zxcvbn scores of {len(frame):,} strings (once per leak version)")
            pacer = log.pacer(f"leak {name}: zxcvbn scores")
            scores = zxcvbn_many(frame["password"].tolist(), progress=pacer)
            out_dir.mkdir(parents=True, exist_ok=True)
            tmp = scores_file.with_suffix(".tmp.npy")
            np.save(tmp, -scores)
            tmp.replace(scores_file)
        tmp_table = table.with_name(f".{table.name}.tmp")
        frame.to_csv(tmp_table, index=False, compression="gzip")
        tmp_table.replace(table)
        counts = frame["part"].value_counts().to_dict()
        records[name] = {
            "data": fetched.as_dict(),
            "rows": len(frame),
            "bad_lines": listing.n_bad,
            "parts": {p: int(counts.get(p, 0)) for p in PARTS},
        }
        write_json_atomic(record_file, records[name])
        log(f"leak {name}: {len(frame):,} strings; parts {records[name]['parts']}")
    return records


def leak_name(entry: str) -> str:
    """A leak's name: the source's (``phpbb``), or a user file's or URL's stem."""
    if entry in EXTERNAL_SOURCES:
        return entry
    stem = entry.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9_-]+", "_", stem) or "leak"


def load_leaks(processed: Path, entries: list[str]) -> list[Leak]:
    """The prepared leaks; a clear error naming the step to run when one is missing."""
    leaks = []
    for name in map(leak_name, entries):
        folder = processed / "passwords" / FOLDER
        table = folder / f"{name}.csv.gz"
        info = read_json(folder / f"{name}.json")
        if not table.exists() or info is None:
            raise MissingInputError(
                f"{table} not found; run the prepare stage first "
                "(python -m pipeline.passwords prepare, or ./run_all.sh passwords)"
            )
        frame = pd.read_csv(
            table, dtype={"password": str, "part": str}, keep_default_na=False, na_filter=False
        )
        leaks.append(
            Leak(
                name,
                frame["password"].tolist(),
                frame["count"].to_numpy(dtype=np.float64),
                frame["part"].to_numpy(),
                np.load(folder / f"{name}-zxcvbn.npy"),
                info,
            )
        )
    return leaks


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve of ``score`` for ``positive``; ties count half (mid-ranks)."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def ranking_metrics(score: np.ndarray, counts: np.ndarray) -> dict[str, float]:
    """Spearman against the counts, and the AUC of reused (count >= 2) against one-offs."""
    score = np.asarray(score, dtype=np.float64)
    constant = len(score) < 2 or np.ptp(score) == 0
    sp = float("nan") if constant else float(spearmanr(score, counts).correlation)
    return {"spearman": sp, "auc": auc(score, counts >= 2)}


def score_leak(
    leak: Leak,
    served: np.ndarray,
    lookup: np.ndarray,
    rarest: float,
) -> dict[str, Any]:
    """Per part and over the whole leak: every ranker's metrics and the model's censoring.

    ``served`` are the served model's frequencies of the leak's strings, ``lookup`` the training
    list's (0 where a string is absent from it).
    """
    out: dict[str, Any] = {}
    for part in (*PARTS, "all"):
        mask = np.ones(len(leak.passwords), bool) if part == "all" else leak.parts == part
        counts = leak.counts[mask]
        absent = lookup[mask] == 0
        out[part] = {
            "strings": int(mask.sum()),
            "absent_from_list": int(absent.sum()),
            "reused": int((counts >= 2).sum()),
            "model": ranking_metrics(served[mask], counts),
            "lookup": ranking_metrics(lookup[mask], counts),
            "zxcvbn": ranking_metrics(leak.zxcvbn[mask], counts),
            "censoring": float(np.mean(served[mask][absent] <= rarest)) if absent.any() else None,
        }
    return out


def format_leak(name: str, scores: dict[str, Any], rarest: float) -> str:
    """The leak's table, the held-out part apart."""
    lines = [
        f"external leak {name}, never trained on: Spearman vs its counts, AUC reused vs one-off",
        f"    {'':<8}{'Spearman':>10}{'AUC':>9}",
    ]
    for part in (*PARTS, "all"):
        s = scores[part]
        label = {"tuning": "tuning part", "held_out": "held-out part", "all": "whole leak"}[part]
        lines.append(
            f"  {label} ({s['strings']:,} strings, {s['absent_from_list']:,} absent from the list)"
        )
        for ranker in ("model", "lookup", "zxcvbn"):
            m = s[ranker]
            lines.append(f"    {ranker:<8}{m['spearman']:>10.4f}{m['auc']:>9.4f}")
        if s["censoring"] is not None:
            lines.append(
                f"    censoring: {s['censoring']:.1%} of absent strings at or below the rarest "
                f"listed frequency ({rarest:.4g} per million)"
            )
    return "\n".join(lines)
