"""Metrics of the password model and its baselines on the test split, with plots.

RMSLE is the competition metric (``sqrt(mean((log1p(pred) - log1p(true))**2))``); Spearman says
whether the model orders passwords right, which is what a strength meter needs. The baselines
set the bar: the RMSLE-optimal constant, a length-only model, and zxcvbn's guess estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and CI

import matplotlib.pyplot as plt
import numpy as np
from joblib import Parallel, delayed
from scipy.stats import spearmanr
from zxcvbn import matching as zx_matching
from zxcvbn import scoring as zx_scoring

from pipeline.runs.names import metric_key, put_metric

PROBE_PASSWORDS = ["123456", "password1", "iloveyou", "Tr0ub4dor&3", "q8#Lm2!vZr9@Tx4k", "zzzzzz"]
ZXCVBN_FIT_ROWS = 20_000  # a 1-D fit needs few rows, and zxcvbn is slow per password


ZXCVBN_LIMIT = 72  # zxcvbn's own maximum length
PARALLEL_MIN_ROWS = 5_000  # below this, starting worker processes costs more than it saves
PARALLEL_CHUNK = 5_000


def zxcvbn_log10(p: str, max_chars: int = ZXCVBN_LIMIT) -> float:
    """The log10 of zxcvbn's guesses needed; 0 for the empty password (guessed first).

    Calls zxcvbn's matcher and scorer directly: its public ``zxcvbn()`` also builds feedback text
    and crack-time estimates, which cost a third of the time and which we never read.
    """
    if not p:
        return 0.0
    p = p[:max_chars]
    matches = zx_matching.omnimatch(p, zx_matching.RANKED_DICTIONARIES)
    return float(zx_scoring.most_guessable_match_sequence(p, matches)["guesses_log10"])


def zxcvbn_many(
    passwords: Sequence[str],
    max_chars: int = ZXCVBN_LIMIT,
    n_jobs: int = -1,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """``zxcvbn_log10`` of many passwords, spread over processes when there are many;
    ``progress(done, total)`` after each chunk (zxcvbn scores a few thousand strings a second).
    """
    if len(passwords) < PARALLEL_MIN_ROWS:
        return _zxcvbn_chunk(passwords, max_chars)
    chunks = [passwords[i : i + PARALLEL_CHUNK] for i in range(0, len(passwords), PARALLEL_CHUNK)]
    jobs = (delayed(_zxcvbn_chunk)(c, max_chars) for c in chunks)
    parts = []
    for part in Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
        parts.append(part)
        if progress is not None:
            progress(sum(map(len, parts)), len(passwords))
    return np.concatenate(parts)


def _zxcvbn_chunk(passwords: Sequence[str], max_chars: int) -> np.ndarray:
    return np.array([zxcvbn_log10(p, max_chars) for p in passwords], dtype=np.float64)


def rmsle(pred: Sequence[float] | np.ndarray, true: Sequence[float] | np.ndarray) -> float:
    """Root mean squared logarithmic error."""
    p, t = np.asarray(pred, dtype=float), np.asarray(true, dtype=float)
    return float(np.sqrt(np.mean((np.log1p(p) - np.log1p(t)) ** 2)))


def spearman(score: Sequence[float] | np.ndarray, true: Sequence[float] | np.ndarray) -> float:
    """Spearman rank correlation; NaN for a constant score, which orders nothing."""
    s = np.asarray(score, dtype=float)
    if len(s) < 2 or np.ptp(s) == 0:
        return float("nan")
    return float(spearmanr(s, np.asarray(true, dtype=float)).statistic)


@dataclass(frozen=True)
class Scored:
    """One predictor's test predictions, and the score it is ranked by (if not the prediction)."""

    name: str
    prediction: np.ndarray
    rank_score: np.ndarray | None = None


def constant_baseline(train_freq: np.ndarray, n: int) -> np.ndarray:
    """The constant minimising RMSLE: the mean in log1p space, mapped back."""
    return np.full(n, np.expm1(np.mean(np.log1p(train_freq))))


def length_baseline(
    train_pw: Sequence[str], train_freq: np.ndarray, test_pw: Sequence[str]
) -> np.ndarray:
    """Mean log1p frequency per password length; unseen lengths get the overall mean."""
    logs = np.log1p(train_freq)
    lengths = np.array([len(p) for p in train_pw])
    by_length = {int(k): float(logs[lengths == k].mean()) for k in np.unique(lengths)}
    overall = float(logs.mean())
    return np.expm1(np.array([by_length.get(len(p), overall) for p in test_pw]))


def zxcvbn_baseline(
    train_pw: Sequence[str],
    train_freq: np.ndarray,
    test_pw: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Zxcvbn's ``-guesses_log10`` as a score, and a 1-D linear fit of log1p frequency on it.

    The baseline is zxcvbn as its users call it: the whole password, up to zxcvbn's own limit.
    """
    step = max(1, len(train_pw) // ZXCVBN_FIT_ROWS)  # a fixed, deterministic subsample
    g_train = zxcvbn_many(train_pw[::step], progress=progress)
    y_train = np.log1p(np.asarray(train_freq)[::step])
    slope, intercept = np.polyfit(g_train, y_train, 1)
    g_test = zxcvbn_many(test_pw, progress=progress)
    return np.maximum(np.expm1(intercept + slope * g_test), 0.0), -g_test


def score_table(scored: Sequence[Scored], true: np.ndarray) -> dict[str, dict[str, float | None]]:
    """RMSLE and Spearman of each predictor; None where a metric is undefined (JSON has no NaN)."""
    return {
        s.name: {
            "rmsle": _finite_or_none(rmsle(s.prediction, true)),
            "spearman": _finite_or_none(
                spearman(s.prediction if s.rank_score is None else s.rank_score, true)
            ),
        }
        for s in scored
    }


def _finite_or_none(value: float) -> float | None:
    return value if np.isfinite(value) else None


def _fmt(value: float | None, width: int) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:>{width}.4f}"


def format_table(table: dict[str, dict[str, float | None]], title: str) -> str:
    """A fixed-width table for the terminal and the docs."""
    lines = [title, f"  {'predictor':<24}{'RMSLE':>8}{'Spearman':>10}"]
    for name, m in table.items():
        lines.append(f"  {name:<24}{_fmt(m['rmsle'], 8)}{_fmt(m['spearman'], 10)}")
    return "\n".join(lines)


def save_plots(
    test_pw: Sequence[str], true: np.ndarray, scored: Sequence[Scored], out_dir: Path
) -> list[Path]:
    """Predicted vs true on log axes (the model), and error by password length (all)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model = scored[0]
    fig, ax = plt.subplots(figsize=(6, 5))
    hb = ax.hexbin(
        np.log10(true), np.log10(np.maximum(model.prediction, 1e-4)), gridsize=60, bins="log"
    )
    lo, hi = np.log10(true.min()), np.log10(true.max())
    ax.plot([lo, hi], [lo, hi], color="red", linewidth=1, label="perfect")
    ax.set_xlabel("true frequency per million (log10)")
    ax.set_ylabel("predicted frequency per million (log10)")
    ax.set_title(f"{model.name}: predicted vs true, test split")
    ax.legend(loc="upper left")
    fig.colorbar(hb, ax=ax, label="passwords (log)")
    fig.tight_layout()
    scatter = out_dir / "predicted_vs_true.png"
    fig.savefig(scatter, dpi=110)
    plt.close(fig)

    lengths = np.array([min(len(p), 20) for p in test_pw])
    fig, ax = plt.subplots(figsize=(7, 4))
    for s in scored:
        err = np.abs(np.log1p(s.prediction) - np.log1p(true))
        ks = np.unique(lengths)
        ax.plot(ks, [err[lengths == k].mean() for k in ks], marker="o", label=s.name)
    ax.set_xlabel("password length (20 = 20 or more)")
    ax.set_ylabel("mean |log1p error|")
    ax.set_title("error by password length, test split")
    ax.legend()
    fig.tight_layout()
    by_length = out_dir / "error_by_length.png"
    fig.savefig(by_length, dpi=110)
    plt.close(fig)
    return [scatter, by_length]


def tracked_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The report's test metrics for MLflow: the model and each baseline, and the censoring."""
    out: dict[str, float] = {}
    for predictor, scores in report.get("test", {}).items():
        for name, value in scores.items():
            put_metric(out, metric_key("passwords", "test", predictor, name), value)
    censoring = report.get("censoring") or {}
    put_metric(
        out,
        "passwords.censoring.share_below_rarest_listed",
        censoring.get("share_below_rarest_listed"),
    )
    put_metric(out, "passwords.test.rows", report.get("measured_on", {}).get("rows"))
    for leak, parts in (report.get("external") or {}).items():
        for part, scores in parts.items():
            for ranker in ("model", "lookup", "zxcvbn"):
                for name, value in (scores.get(ranker) or {}).items():
                    put_metric(
                        out, metric_key("passwords.external", leak, part, ranker, name), value
                    )
            put_metric(
                out,
                metric_key("passwords.external", leak, part, "censoring"),
                scores.get("censoring"),
            )
    return out


def probe_predictions(model: Any) -> list[float]:
    """Frequencies of a fixed set of passwords, for the reproducibility check."""
    return [float(f) for f in model.predict(PROBE_PASSWORDS)]
