"""The password pipeline's two stages, ``prepare`` and ``train``.

``prepare`` fetches, parses, checks and splits; ``train`` fits, evaluates against the baselines and
the production model, saves a version and decides its promotion.

Each stage reads and writes files only, so ``run_all.sh`` (and any DAG runner) can run them apart.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.config import Paths, section
from pipeline.data.fetch import fetch
from pipeline.data.sources import PASSWORD_SOURCES, source_for_location
from pipeline.errors import MissingInputError
from pipeline.files import write_json_atomic
from pipeline.passwords import evaluate as ev
from pipeline.passwords.absent import generate_absent
from pipeline.passwords.checks import as_records, enforce, format_report, run_checks
from pipeline.passwords.model import PasswordModel
from pipeline.passwords.parse import read_password_file
from pipeline.passwords.split import assign_splits, split_of
from pipeline.progress import Progress
from pipeline.registry import store
from pipeline.registry.publish import Candidate, publish

NAME = "passwords"
DATASET = "dataset.csv.gz"
DATASET_INFO = "dataset.json"


def prepare(params: dict[str, Any], paths: Paths, location: str | None = None) -> Path:
    """Fetch the password list, check it, split it; write the table and its record."""
    log = Progress(NAME)
    cfg = section(params, NAME, ("source", "split", "checks"))
    where = location or cfg["source"]
    source = PASSWORD_SOURCES.get(where) or source_for_location(where, "passwords")
    log(f"fetching {source.name}")
    fetched = fetch(source, paths.raw)
    log(f"reading {fetched.path.name} ({fetched.note})")
    parsed = read_password_file(fetched.path)
    checks = run_checks(parsed, **cfg["checks"])
    print(format_report(checks))
    out_dir = paths.processed / NAME
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / "checks.json", as_records(checks))
    enforce(checks)

    frame = parsed.frame[["password", "frequency"]].copy()
    frame["split"] = assign_splits(frame["password"], **cfg["split"])
    min_freq = float(frame["frequency"].min())
    counts = frame["split"].value_counts().to_dict()
    info = {
        "data": fetched.as_dict(),
        "format": parsed.fmt,
        "rows": len(frame),
        "bad_lines": len(parsed.bad_lines),
        "splits": {k: int(counts.get(k, 0)) for k in ("train", "validation", "test")},
        "split_fractions": cfg["split"],
        "min_frequency": min_freq,
        "list_kind": _list_kind(parsed.frame),
    }
    tmp = out_dir / f".{DATASET}.tmp"
    frame.to_csv(tmp, index=False, compression="gzip")
    tmp.replace(out_dir / DATASET)
    write_json_atomic(out_dir / DATASET_INFO, info)
    log(f"{len(frame):,} passwords ({info['list_kind']}); splits {info['splits']}")
    return out_dir


def _list_kind(frame: pd.DataFrame) -> str:
    counts = frame["count"].dropna()
    if counts.empty:
        return "frequency list (no raw counts)"
    lowest = int(counts.min())
    return "full list" if lowest <= 1 else f"head of the list (counts >= {lowest})"


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
    info = json.loads((out_dir / DATASET_INFO).read_text(encoding="utf-8"))
    return frame, info


def train(params: dict[str, Any], paths: Paths) -> dict[str, Any]:
    """Fit, evaluate, save a version and decide its promotion; returns the metrics record."""
    log = Progress(NAME)
    cfg = section(params, NAME, ("absent", "model", "promotion", "split"))
    frame, info = load_dataset(paths.processed)
    models_dir = paths.models
    parts = {name: frame[frame["split"] == name] for name in ("train", "validation", "test")}
    train_df, val_df, test_df = parts["train"], parts["validation"], parts["test"]

    absent_cfg = cfg["absent"]
    # Absent strings are split by their own hash too; make enough for the training share.
    train_share = 1.0 - cfg["split"]["validation"] - cfg["split"]["test"]
    n_absent = int(absent_cfg["per_train_row"] * len(train_df) / train_share)
    absent = generate_absent(
        train_df["password"].tolist(),
        n_absent,
        int(cfg["model"]["seed"]),
        set(frame["password"]),
    )
    fractions = cfg["split"]
    absent_split = [split_of(a, **fractions) for a in absent]
    absent_train = [a for a, s in zip(absent, absent_split, strict=True) if s == "train"]
    absent_test = [a for a, s in zip(absent, absent_split, strict=True) if s == "test"]
    absent_freq = float(absent_cfg["fraction_of_min"]) * info["min_frequency"]

    log(
        f"fitting on {len(train_df):,} training passwords and {len(absent_train):,} absent "
        f"strings; early stopping on {len(val_df):,} validation passwords"
    )
    fit_start = time.perf_counter()
    model = PasswordModel(cfg["model"] | {"absent_weight": absent_cfg["weight"]})
    model.fit(
        train_df["password"].tolist(),
        train_df["frequency"].to_numpy(),
        val_df["password"].tolist(),
        val_df["frequency"].to_numpy(),
        absent_train,
        absent_freq,
    )
    fit_seconds = time.perf_counter() - fit_start
    log(f"fitted in {fit_seconds:.1f}s ({model.boosting_rounds} boosting rounds)")

    test_pw = test_df["password"].tolist()
    true = test_df["frequency"].to_numpy()
    log(f"evaluating on {len(test_pw):,} test passwords")
    train_pw, train_freq = train_df["password"].tolist(), train_df["frequency"].to_numpy()
    zx_pred, zx_score = ev.zxcvbn_baseline(train_pw, train_freq, test_pw)
    scored = [
        ev.Scored("model", model.predict(test_pw)),
        ev.Scored("constant (RMSLE-optimal)", ev.constant_baseline(train_freq, len(true))),
        ev.Scored("length only", ev.length_baseline(train_pw, train_freq, test_pw)),
        ev.Scored("zxcvbn", zx_pred, zx_score),
    ]
    table = ev.score_table(scored, true)
    min_listed = info["min_frequency"]
    absent_pred = model.predict(absent_test)
    censoring = {
        "absent_test_strings": len(absent_test),
        "share_below_rarest_listed": float(np.mean(absent_pred < min_listed))
        if absent_test
        else None,
        "rarest_listed_frequency": min_listed,
    }

    production = _production_metric(models_dir, test_pw, true, log)
    text = ev.format_table(table, f"password model, test split ({len(true):,} passwords)")
    plots = ev.save_plots(test_pw, true, scored, paths.reports / NAME)
    metrics = {
        "test": table,
        "censoring": censoring,
        "measured_on": {
            "split": "test",
            "rows": len(true),
            "data_sha256": info["data"]["sha256"],
            "note": "test passwords are never in the model's known list",
        },
    }

    def write_files(directory: Path) -> None:
        model.save(directory)
        for plot in plots:
            (directory / plot.name).write_bytes(plot.read_bytes())

    return publish(
        Candidate(
            name=NAME,
            version=store.new_version(models_dir, NAME),
            score=table["model"]["rmsle"],
            production=production,
            tolerance=float(cfg["promotion"]["tolerance"]),
            metrics=metrics,
            metadata={
                "data": info,
                "params": cfg,
                "training_seconds": round(fit_seconds, 1),
                "boosting_rounds": model.boosting_rounds,
            },
            write_files=write_files,
            evaluation=text,
            printed=[text, _censoring_line(censoring)],
        ),
        paths,
    )


def _censoring_line(censoring: dict[str, Any]) -> str:
    n = censoring["absent_test_strings"]
    if not n:
        return "censoring: no absent test strings"
    return (
        f"censoring: {censoring['share_below_rarest_listed']:.1%} of {n:,} absent test strings "
        f"predicted below the rarest listed frequency "
        f"({censoring['rarest_listed_frequency']:.3f} per million)"
    )


def _production_metric(
    models_dir: Path, test_pw: list[str], true: np.ndarray, log: Progress
) -> float | None:
    """Production's RMSLE on this run's test set; None when there is no usable production."""
    try:
        directory = store.production_dir(models_dir, NAME)
    except store.RegistryError as exc:
        log(f"no production model to compare with ({exc})")
        return None
    try:
        production = PasswordModel.load(directory)
        return ev.rmsle(production.predict(test_pw), true)
    except Exception as exc:
        log(f"production model at {directory} is unusable ({type(exc).__name__}: {exc})")
        return float("nan")
