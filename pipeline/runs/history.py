"""The recent pipeline runs logged to MLflow, one line each with their key metrics, to compare
runs from a terminal (the MLflow UI shows the same runs with everything else).

Reads the store ``pipeline.runs.tracking`` writes to (``MLFLOW_TRACKING_URI``, else ``mlruns/``) and
its experiment (``MLFLOW_EXPERIMENT_NAME``, else ``the-hat-and-passwords``).

Usage: python -m pipeline.runs.history [--last N]
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from pipeline import catalog
from pipeline.runs.tracking import experiment_name, quiet_store, tracking_uri

# (header, metric key, format) of the numeric columns
METRIC_COLUMNS = (
    ("pw RMSLE", "passwords.test.model.rmsle", "{:.4f}"),
    ("pw Spearman", "passwords.test.model.spearman", "{:.4f}"),
    ("zxcvbn RMSLE", "passwords.test.zxcvbn.rmsle", "{:.4f}"),
    ("hat held-out", "hat.heldout_cross_play_rate", "{:.1%}"),
    ("hat self-play", "hat.nouns_top_50.ours_to_ours.guessed_rate", "{:.1%}"),
    ("seconds", "duration_seconds.total", "{:.0f}"),
)


def run_row(run: Any) -> list[str]:
    """One table row of an MLflow run (``mlflow.entities.Run``): ``-`` where a value is absent,
    e.g. the Hat columns of a passwords-only run.
    """
    info, data = run.info, run.data
    tags, metrics = data.tags, data.metrics
    commit = tags.get("mlflow.source.git.commit", "")[:7] or "-"
    if tags.get("git.dirty") == "true":
        commit += "+"  # uncommitted changes
    promoted = [
        name for name in catalog.NAMES if metrics.get(f"promotion.{name}.promoted", 0.0) >= 1.0
    ]
    row = [
        time.strftime("%Y-%m-%d %H:%M", time.gmtime(info.start_time / 1000)),
        info.run_id[:8],
        info.status,
        commit,
        tags.get("stages", "-") or "-",
    ]
    for _, key, fmt in METRIC_COLUMNS:
        row.append(fmt.format(metrics[key]) if key in metrics else "-")
    row.append(",".join(promoted) or "-")
    return row


def format_runs(runs: list[Any]) -> str:
    """The runs as a fixed-width table, newest first as given."""
    header = ["started (UTC)", "run", "status", "commit", "stages"]
    header += [title for title, _, _ in METRIC_COLUMNS] + ["promoted"]
    rows = [header] + [run_row(r) for r in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def recent_runs(uri: str, experiment: str, last: int) -> list[Any]:
    """The ``last`` most recent runs of ``experiment``; empty when it does not exist yet."""
    from mlflow import MlflowClient

    with quiet_store():
        client = MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        if found is None:
            return []
        return list(
            client.search_runs(
                [found.experiment_id],
                order_by=["attributes.start_time DESC"],
                max_results=last,
            )
        )


def main(argv: list[str] | None = None) -> int:
    """Print the table; 1 when there is no run to show."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--last", type=int, default=10, help="how many runs (default 10)")
    args = parser.parse_args(argv)
    uri, experiment = tracking_uri(), experiment_name()
    runs = recent_runs(uri, experiment, max(args.last, 1))
    if not runs:
        print(f"no runs in experiment '{experiment}' at {uri}; run ./run_all.sh first")
        return 1
    print(f"experiment '{experiment}' at {uri}")
    print(format_runs(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
