"""Reproducibility check: run the pipeline twice on the same data; fail unless it agrees.

Each run is ``./run_all.sh STAGES`` with its own models, reports and processed-data folders (the
raw-data cache is shared, so both read the very same bytes). Compared: every stage's metrics
report (minus what names the run: version, timings, paths) and a fixed set of predictions from
each run's production models (password frequencies; Hat clues and guesses).

CI runs it on the small sample in the test suite and on the full data in the scheduled pipeline.
Usage: python -m pipeline.runs.reproduce [STAGE ...]   (exit 1 and a diff when the runs differ)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.config import ROOT, Paths

# keys that name the run rather than describe its result
VOLATILE = {"version", "created_at", "recorded_at", "fetched_at", "path", "origin"}


def stable(value: Any) -> Any:
    """``value`` without volatile keys (and any key ending in ``seconds``)."""
    if isinstance(value, dict):
        return {
            k: stable(v)
            for k, v in value.items()
            if k not in VOLATILE and not k.endswith("seconds")
        }
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def predictions(models_dir: Path, stages: list[str]) -> dict[str, Any]:
    """The fixed probe predictions of a run's production models (each model's own probe)."""
    from pipeline.registry.store import production_dir

    out: dict[str, Any] = {}
    for name in stages:
        model = catalog.spec(name)
        out[name] = model.probe_predictions(model.load(production_dir(models_dir, name)))
    return out


def run_once(stages: list[str], work: Path, raw_cache: Path) -> dict[str, Any]:
    """One pipeline run in ``work``; its stable metrics and probe predictions."""
    paths = Paths(data=work / "data", models=work / "models", reports=work / "reports")
    paths.data.mkdir(parents=True)
    raw_cache.mkdir(parents=True, exist_ok=True)
    (paths.data / "raw").symlink_to(raw_cache.resolve(), target_is_directory=True)
    env = {
        **os.environ,
        "DATA_DIR": str(paths.data),
        "MODELS_DIR": str(paths.models),
        "REPORTS_DIR": str(paths.reports),
        # a check, not an experiment: its MLflow runs go to a store thrown away with the runs
        "MLFLOW_TRACKING_URI": f"sqlite:///{work.parent / 'mlruns' / 'mlflow.db'}",
    }
    subprocess.run([str(ROOT / "run_all.sh"), *stages], env=env, check=True)
    metrics = {
        s: stable(json.loads((paths.reports / s / "metrics.json").read_text())) for s in stages
    }
    return {"metrics": metrics, "predictions": predictions(paths.models, stages)}


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Paths at which two JSON-like values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            out += differences(a.get(k), b.get(k), f"{where}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{where}[{i}]")
        ]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def main(argv: list[str] | None = None) -> int:
    """Run twice, compare, print the verdict; 0 when identical."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stages", nargs="*", help=f"default: all of {catalog.NAMES}")
    args = parser.parse_args(argv)
    stages = list(args.stages) or list(catalog.NAMES)
    unknown = sorted(set(stages) - set(catalog.NAMES))
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {catalog.NAMES}")
    raw_cache = Paths.from_env().raw
    with tempfile.TemporaryDirectory(prefix="reproduce-") as tmp:
        runs = []
        for i in (1, 2):
            print(f"reproduce: run {i} of 2 ({' '.join(stages)})", file=sys.stderr, flush=True)
            runs.append(run_once(stages, Path(tmp) / f"run{i}", raw_cache))
    diff = differences(runs[0], runs[1])
    if diff:
        print("reproduce: the two runs differ:\n  " + "\n  ".join(diff[:50]))
        return 1
    n = sum(len(probe) for probe in runs[0]["predictions"].values())
    print(f"reproduce: identical metrics and {n} probe predictions in two runs of {stages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
