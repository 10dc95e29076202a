"""The password pipeline's ``train`` stage: fit, evaluate against the baselines, the production
model and the external leaks, save a version and decide its promotion.

It reads only what ``prepare`` wrote (:mod:`.prepare`), so ``run_all.sh`` (and any DAG runner)
can run the two stages apart.
"""

from __future__ import annotations

import random
import string
import time
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import Paths, section
from pipeline.data.sources import ROCKYOU_TOTAL
from pipeline.passwords import evaluate as ev
from pipeline.passwords import external
from pipeline.passwords.absent import generate_absent
from pipeline.passwords.answers import Answers
from pipeline.passwords.features import hash64, hash_all
from pipeline.passwords.guesses import RankTable
from pipeline.passwords.model import PasswordModel
from pipeline.passwords.prepare import NAME, load_answers, load_dataset, load_listed_frequencies
from pipeline.passwords.split import split_of
from pipeline.passwords.tail import Tail
from pipeline.progress import Progress
from pipeline.registry import store
from pipeline.registry.publish import Candidate, publish

RANDOM_STRINGS = 10_000  # random 16-character strings the served model must rate below one use
RANK_CHECK_ROWS = 20_000  # listed rows whose served guesses are checked against their rank


def train(params: dict[str, Any], paths: Paths) -> dict[str, Any]:
    """Fit, evaluate, save a version and decide its promotion; returns the metrics record.

    The fit is honest: its known list is the training and validation splits, and the test split
    measures the estimate alone. The version saved is the production artifact made from it: the
    same estimate, every listed password known, absent strings at the tail's levels; the external
    leaks and the censoring check score that artifact, as it will be served.
    """
    log = Progress(NAME)
    cfg = section(
        params, NAME, ("absent", "model", "promotion", "split", "tail", "external", "sample")
    )
    frame, info = load_dataset(paths.processed)
    answers = load_answers(paths.processed, int(cfg["sample"]["exact_up_to"]))
    log(f"answers for {len(answers):,} listed passwords ({type(answers).__name__})")
    models_dir = paths.models
    parts = {name: frame[frame["split"] == name] for name in ("train", "validation", "test")}
    train_df, val_df, test_df = parts["train"], parts["validation"], parts["test"]

    absent_cfg = cfg["absent"]
    # Absent strings are split by their own hash too; make enough for the training share.
    train_share = 1.0 - cfg["split"]["validation"] - cfg["split"]["test"]
    n_absent = int(absent_cfg["per_train_row"] * len(train_df) / train_share)
    absent = generate_absent(
        train_df["password"].tolist(), n_absent, int(cfg["model"]["seed"]), _Listed(answers)
    )
    fractions = cfg["split"]
    absent_split = [split_of(a, **fractions) for a in absent]
    absent_train = [a for a, s in zip(absent, absent_split, strict=True) if s == "train"]
    absent_test = [a for a, s in zip(absent, absent_split, strict=True) if s == "test"]
    min_listed = float(info["min_frequency"])
    absent_freq = float(absent_cfg["fraction_of_min"]) * min_listed

    log(
        f"fitting on {len(train_df):,} training passwords and {len(absent_train):,} absent "
        f"strings; early stopping on {len(val_df):,} validation passwords"
    )
    fit_start = time.perf_counter()
    model = PasswordModel(cfg["model"] | {"absent_weight": absent_cfg["weight"]})
    sampled = bool((frame["weight"] != 1.0).any())
    model.fit(
        train_df["password"].tolist(),
        train_df["frequency"].to_numpy(),
        val_df["password"].tolist(),
        val_df["frequency"].to_numpy(),
        absent_train,
        absent_freq,
        weights=np.concatenate([train_df["weight"], val_df["weight"]]) if sampled else None,
        log=log,
    )
    fit_seconds = time.perf_counter() - fit_start
    log(f"fitted in {fit_seconds:.1f}s ({model.boosting_rounds} boosting rounds)")

    test_pw = test_df["password"].tolist()
    true = test_df["frequency"].to_numpy()
    log(f"evaluating the estimate on {len(test_pw):,} test passwords")
    train_pw, train_freq = train_df["password"].tolist(), train_df["frequency"].to_numpy()
    zx_pred, zx_score = ev.zxcvbn_baseline(
        train_pw, train_freq, test_pw, progress=log.pacer("zxcvbn baseline: strings scored")
    )
    scored = [
        ev.Scored("model", model.estimate(test_pw)),
        ev.Scored("constant (RMSLE-optimal)", ev.constant_baseline(train_freq, len(true))),
        ev.Scored("length only", ev.length_baseline(train_pw, train_freq, test_pw)),
        ev.Scored("zxcvbn", zx_pred, zx_score),
    ]
    table = ev.score_table(scored, true)

    ranks = RankTable.build(load_listed_frequencies(paths.processed))
    served = model.knowing(answers, Tail.from_params(min_listed, cfg["tail"]), ranks)
    absent_pred = served.predict(absent_test)
    censoring = {
        "absent_test_strings": len(absent_test),
        "share_below_rarest_listed": float(np.mean(absent_pred <= min_listed))
        if absent_test
        else None,
        "rarest_listed_frequency": min_listed,
    }
    checks = _tail_checks(served, frame, int(cfg["model"]["seed"]))
    production = _production(models_dir, log)
    leaks = external.load_leaks(paths.processed, list(cfg["external"]["sources"]))
    outside, outside_production, leak_text, leak_served = _score_leaks(
        leaks, served, production, log
    )
    guess_checks = _guess_checks(served, frame, leaks, leak_served, int(cfg["model"]["seed"]))

    text = ev.format_table(table, f"password model, test split ({len(true):,} passwords)")
    plots = ev.save_plots(test_pw, true, scored, paths.reports / NAME)
    metrics = {
        "test": table,
        "censoring": censoring,
        "listed_and_random": checks,
        "guesses": guess_checks,
        "external": outside,
        "measured_on": {
            "split": "test",
            "rows": len(true),
            "data_sha256": info["data"]["sha256"],
            "note": "the estimate, fit without the test split; external leaks: the served model",
            "known_list": "every listed password (train, validation and test)",
        },
    }
    scores = {"test_rmsle": table["model"]["rmsle"], **_leak_criteria(outside)}
    theirs = None
    if production is not None:
        theirs = {"test_rmsle": _recorded_test_rmsle(production[1], info, fractions)}
        theirs |= _leak_criteria(outside_production)

    def write_files(directory: Path) -> None:
        served.save(directory)
        for plot in plots:
            (directory / plot.name).write_bytes(plot.read_bytes())

    return publish(
        Candidate(
            name=NAME,
            version=store.new_version(models_dir, NAME),
            scores=scores,
            production=theirs,
            tolerance=float(cfg["promotion"]["tolerance"]),
            metrics=metrics,
            metadata={
                "data": info | {"external": {leak.name: leak.info for leak in leaks}},
                "params": cfg,
                "training_seconds": round(fit_seconds, 1),
                "boosting_rounds": model.boosting_rounds,
            },
            write_files=write_files,
            evaluation=text + "\n" + leak_text,
            printed=[
                text,
                _censoring_line(censoring),
                _checks_line(checks),
                _guesses_line(guess_checks),
                leak_text,
            ],
        ),
        paths,
    )


class _Listed:
    """``s in listed``: whether the whole list holds ``s`` (by hash: the list may be 14M rows)."""

    def __init__(self, answers: Answers) -> None:
        self.one = answers.one()

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.one.frequency(hash64(text)) is not None


def _tail_checks(served: PasswordModel, frame: Any, seed: int) -> dict[str, Any]:
    """Two checks of the served answers: the listed tail passwords (a count below 23, RockYou's
    head) come back within a factor 2 of their listed frequency, and random 16-character strings
    at or below one occurrence in the list's total.
    """
    tail = frame[frame["frequency"] < 23 * 1e6 / ROCKYOU_TOTAL]
    within = None
    if len(tail):
        got = served.predict(tail["password"].tolist())
        ratio = got / tail["frequency"].to_numpy()
        within = float(np.mean((ratio >= 0.5) & (ratio <= 2.0)))
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + string.punctuation
    randoms = ["".join(rng.choice(alphabet) for _ in range(16)) for _ in range(RANDOM_STRINGS)]
    one_use = 1e6 / ROCKYOU_TOTAL
    assert served.listed is not None
    taken = ~np.isnan(served.listed.frequency_of(hash_all(randoms)))  # answered as listed
    return {
        "listed_tail_rows": len(tail),
        "listed_tail_within_factor_2": within,
        "random_16_strings": RANDOM_STRINGS,
        "random_16_at_most_one_use": float(np.mean(served.predict(randoms) <= one_use)),
        "random_16_taken_for_listed": float(np.mean(taken)),
        "one_use_frequency": one_use,
    }


def _checks_line(checks: dict[str, Any]) -> str:
    listed = (
        "no listed tail passwords (a head-only list)"
        if checks["listed_tail_within_factor_2"] is None
        else f"{checks['listed_tail_within_factor_2']:.1%} of {checks['listed_tail_rows']:,} "
        "listed tail passwords (count < 23) answered within a factor 2"
    )
    return (
        f"served answers: {listed}; {checks['random_16_at_most_one_use']:.1%} of "
        f"{checks['random_16_strings']:,} random 16-character strings at or below one use "
        f"({checks['one_use_frequency']:.4f} per million), "
        f"{checks['random_16_taken_for_listed']:.2%} of them taken for listed ones"
    )


def _score_leaks(
    leaks: list[external.Leak],
    served: PasswordModel,
    production: tuple[PasswordModel, dict[str, Any]] | None,
    log: Progress,
) -> tuple[dict[str, Any], dict[str, Any], str, dict[str, np.ndarray]]:
    """Each leak scored by the candidate as served and by production, the same way; and the
    candidate's served frequencies of each leak's strings.
    """
    mine: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    predictions: dict[str, np.ndarray] = {}
    texts = []
    assert served.listed is not None and served.tail is not None
    rarest = served.tail.rarest
    for leak in leaks:
        log(f"scoring leak {leak.name} ({len(leak.passwords):,} strings)")
        lookup = np.nan_to_num(served.listed.frequency_of(hash_all(leak.passwords)), nan=0.0)
        predictions[leak.name] = served.predict(leak.passwords)
        mine[leak.name] = external.score_leak(leak, predictions[leak.name], lookup, rarest)
        texts.append(external.format_leak(leak.name, mine[leak.name], rarest))
        if production is not None:
            try:
                predicted = production[0].predict(leak.passwords)
            except Exception as exc:  # an unusable production is no bar (logged)
                log(f"production model unusable on leak {leak.name} ({type(exc).__name__})")
                continue
            theirs[leak.name] = external.score_leak(leak, predicted, lookup, rarest)
    return mine, theirs, "\n".join(texts), predictions


def _guess_checks(
    served: PasswordModel,
    frame: Any,
    leaks: list[external.Leak],
    leak_served: dict[str, np.ndarray],
    seed: int,
) -> dict[str, Any]:
    """The guesses against real rankings: listed passwords' served guesses within a factor 2 of
    their rank in the list (a seeded sample of the listed rows, weighted as sampled), and on each
    leak the Spearman of -guesses with its counts beside the served frequency's.
    """
    assert served.ranks is not None
    rows = frame.sample(n=min(RANK_CHECK_ROWS, len(frame)), random_state=seed)
    guesses = served.ranks.many(served.predict(rows["password"].tolist()))
    covered = served.ranks.within_factor(
        rows["frequency"].to_numpy(), guesses, weights=rows["weight"].to_numpy(dtype=np.float64)
    )
    on_leaks = {}
    for leak in leaks:
        frequency = leak_served[leak.name]
        on_leaks[leak.name] = {
            "spearman_frequency": ev.spearman(frequency, leak.counts),
            "spearman_minus_guesses": ev.spearman(-served.ranks.many(frequency), leak.counts),
        }
    return {
        "listed_rows_checked": len(rows),
        "listed_within_factor_2": covered,
        "tail_exponent": served.ranks.exponent,
        "list_rows": served.ranks.rows,
        "leaks": on_leaks,
    }


def _guesses_line(checks: dict[str, Any]) -> str:
    leaks = "; ".join(
        f"on {name} Spearman of -guesses {m['spearman_minus_guesses']:.4f}, of the frequency "
        f"{m['spearman_frequency']:.4f}"
        for name, m in checks["leaks"].items()
    )
    return (
        f"guesses: {checks['listed_within_factor_2']:.1%} of {checks['listed_rows_checked']:,} "
        f"listed passwords within a factor 2 of their rank in the list "
        f"(beyond the list: rank ~ frequency^-{checks['tail_exponent']:.3f})"
        + (f"; {leaks}" if leaks else "")
    )


def _leak_criteria(scores: dict[str, Any]) -> dict[str, float | None]:
    """The promotion's external numbers: Spearman and AUC over every leak, whole (the mean when
    there are several); None when nothing was scored.
    """
    wholes = [leak["all"]["model"] for leak in scores.values()]
    if not wholes:
        return {"external_spearman": None, "external_auc": None}
    return {
        "external_spearman": float(np.mean([w["spearman"] for w in wholes])),
        "external_auc": float(np.mean([w["auc"] for w in wholes])),
    }


def _censoring_line(censoring: dict[str, Any]) -> str:
    n = censoring["absent_test_strings"]
    if not n:
        return "censoring: no absent test strings"
    return (
        f"censoring: {censoring['share_below_rarest_listed']:.1%} of {n:,} absent test strings "
        f"predicted below the rarest listed frequency "
        f"({censoring['rarest_listed_frequency']:.3f} per million)"
    )


def _production(models_dir: Path, log: Progress) -> tuple[PasswordModel, dict[str, Any]] | None:
    """The production model and its metadata; None when there is no usable production."""
    try:
        directory = store.production_dir(models_dir, NAME)
    except store.RegistryError as exc:
        log(f"no production model to compare with ({exc})")
        return None
    try:
        return PasswordModel.load(directory), store.read_metadata(directory)
    except Exception as exc:
        log(f"production model at {directory} is unusable ({type(exc).__name__}: {exc})")
        return None


def _recorded_test_rmsle(
    metadata: dict[str, Any], info: dict[str, Any], fractions: dict[str, float]
) -> float | None:
    """Production's test RMSLE from its own run, when that run had this run's test split (the
    same data and split fractions): its artifact knows the test passwords, so it cannot be
    re-scored on them. None otherwise: then the test split is not compared.
    """
    data = metadata.get("data") or {}
    same = (data.get("data") or {}).get("sha256") == info["data"]["sha256"] and data.get(
        "split_fractions"
    ) == fractions
    value = ((metadata.get("metrics") or {}).get("test") or {}).get("model", {}).get("rmsle")
    return float(value) if same and isinstance(value, int | float) else None
