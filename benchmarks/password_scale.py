"""The passwords stage at the full list's size: time per step, memory, artifact, the service.

Usage: python -m benchmarks.password_scale [--rows 1000000 4000000 14344391] [--work DIR]
                                           [--mirror ../shared/data] [--hat-models models]

For each size, a SYNTHETIC stand-in of the full RockYou list (``benchmarks.rockyou_standin``: the
real head and a generated tail of the published shape; made once per size in ``--work``) is the
``DATA_MIRROR`` of ``./run_all.sh passwords``, run in its own data, models and reports folders.
While it runs, the memory of its whole process tree is sampled every half second. Reported per
size: the wall time of each step, the peak RSS of the tree, the artifact's size, the stage's own
checks (test metrics, listed tail passwords answered within a factor 2, random 16-character
strings at or below one use), then the service on that model: gunicorn with 2 workers (the
image's command; the Hat player is the production one of ``--hat-models``, copied beside it)
after 300 ``/predict`` requests, its whole PSS and RSS, and one password's
prediction time in process (p50/p99 of 3,000 unknown passwords). Results also go to
``reports/benchmarks/password_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import string
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import requests

from benchmarks.rockyou_standin import PUBLISHED_ROWS, write_standin
from benchmarks.service_load import server_memory_mb
from pipeline.config import ROOT, Paths
from pipeline.passwords.model import PasswordModel
from pipeline.registry.store import production_dir
from tests.live import start_image_command


def tree_rss_mb(root: int) -> float:
    """The resident memory of a process and all its descendants (Linux /proc)."""
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run_measured(command: list[str], env: dict[str, str], log_file: Path) -> tuple[float, float]:
    """Run ``command`` (from the repository root, output to ``log_file``) sampling the resident
    memory of its whole process tree every half second; (wall seconds, peak RSS MB). Exits naming
    the log when the command fails.
    """
    peak = 0.0
    started = time.perf_counter()
    with log_file.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.5):
                peak = max(peak, tree_rss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {code}); see {log_file}")
    return time.perf_counter() - started, peak


def run_env(run: Path, mirror: Path) -> dict[str, str]:
    """The environment of a pipeline run with its own data, models, reports and MLflow store."""
    return {
        **os.environ,
        "DATA_MIRROR": str(mirror),
        "DATA_DIR": str(run / "data"),
        "MODELS_DIR": str(run / "models"),
        "REPORTS_DIR": str(run / "reports"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{run / 'mlruns' / 'mlflow.db'}",
    }


def run_stage(standin: Path, run: Path) -> dict[str, Any]:
    """``./run_all.sh passwords`` on ``standin``, with the peak RSS of its process tree."""
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    command = ["bash", str(ROOT / "run_all.sh"), "passwords"]
    wall, peak = run_measured(command, run_env(run, standin), run / "stage.log")
    steps = {}
    for path in sorted((run / "reports" / "steps").glob("*.json")):
        record = json.loads(path.read_text())
        steps[record["step"]] = round(record["finished_at"] - record["started_at"], 1)
    report = json.loads((run / "reports" / "passwords" / "metrics.json").read_text())
    folder = production_dir(run / "models", "passwords")
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {
        "wall_seconds": round(wall, 1),
        "steps_seconds": steps,
        "peak_rss_mb": round(peak),
        "artifact_mb": round(size / 1e6, 1),
        "test": report["test"]["model"],
        "checks": report["listed_and_random"],
        "guesses": report.get("guesses"),
        "model_dir": str(folder),
        "models": str(run / "models"),
    }


def unknown_passwords(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "!@#$%"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(6, 16))) for _ in range(n)]


def with_hat(models: Path, hat_models: Path) -> None:
    """Copy the production Hat player of ``hat_models`` into ``models``: the service serves both."""
    folder = production_dir(hat_models, "hat")
    shutil.copytree(folder, models / "hat" / folder.name, dirs_exist_ok=True)
    registry = json.loads((models / "registry.json").read_text())
    registry["hat"] = {"production": folder.name, "versions": {folder.name: {"promoted": True}}}
    (models / "registry.json").write_text(json.dumps(registry, indent=2) + "\n")


def serving(models: Path, folder: Path, log: Path) -> dict[str, Any]:
    """The service's memory with this model, and one prediction's time in process."""
    server = start_image_command(models, log)
    try:
        server.wait_healthy()
        url = f"http://127.0.0.1:{server.port}/predict"
        for password in unknown_passwords(300, seed=1):
            requests.post(url, json={"password": password}, timeout=10).raise_for_status()
        memory = server_memory_mb(server.proc.pid)
    finally:
        server.stop()
    model = PasswordModel.load(folder)
    probes = unknown_passwords(3000, seed=2)
    for p in probes[:200]:
        model.predict(p)
    times = []
    for p in probes:
        t = time.perf_counter()
        model.predict(p)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    return {
        "server_pss_mb": round(memory["pss_mb"]),
        "server_rss_mb": round(memory["rss_mb"]),
        "server_processes": memory["processes"],
        "predict_one_p50_ms": round(float(np.percentile(ms, 50)), 3),
        "predict_one_p99_ms": round(float(np.percentile(ms, 99)), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[1_000_000, 4_000_000, PUBLISHED_ROWS]
    )
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "scale")
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--hat-models", type=Path, default=Paths.from_env().models)
    args = parser.parse_args(argv)
    results = []
    for rows in args.rows:
        standin = args.work / f"standin-{rows}"
        if not (standin / "rockyou-withcount.txt.tar.gz").exists():
            print(f"== making the SYNTHETIC stand-in of {rows:,} rows", file=sys.stderr)
            write_standin(standin, args.mirror, rows, seed=20261203)
        print(f"== the passwords stage on {rows:,} rows (a SYNTHETIC stand-in)", file=sys.stderr)
        stage = run_stage(standin, args.work / f"run-{rows}")
        with_hat(Path(stage["models"]), args.hat_models)
        served = serving(Path(stage["models"]), Path(stage["model_dir"]), args.work / "server.log")
        results.append({"rows": rows, **stage, **served})
        print(json.dumps(results[-1], indent=2), file=sys.stderr)
    print("SYNTHETIC stand-ins of the full RockYou list (real head, generated tail); 2 cores")
    head = f"{'rows':>11} {'wall s':>7} {'peak RSS MB':>12} {'artifact MB':>12} "
    head += f"{'server PSS MB':>14} {'p99 ms':>7}  steps (s)"
    print(head)
    for r in results:
        steps = ", ".join(f"{k} {v:.0f}" for k, v in r["steps_seconds"].items())
        print(
            f"{r['rows']:>11,} {r['wall_seconds']:>7.0f} {r['peak_rss_mb']:>12,} "
            f"{r['artifact_mb']:>12.1f} {r['server_pss_mb']:>14,} "
            f"{r['predict_one_p99_ms']:>7.3f}  {steps}"
        )
    for r in results:
        c = r["checks"]
        print(
            f"{r['rows']:>11,}: test RMSLE {r['test']['rmsle']:.4f} Spearman "
            f"{r['test']['spearman']:.4f}; listed tail within x2 "
            f"{c['listed_tail_within_factor_2']:.1%} of {c['listed_tail_rows']:,}; random "
            f"16-character strings at or below one use {c['random_16_at_most_one_use']:.1%}, "
            f"taken for listed {c['random_16_taken_for_listed']:.2%}"
        )
        if r.get("guesses"):
            print(
                f"{'':>11}  guesses within x2 of the rank in the list: "
                f"{r['guesses']['listed_within_factor_2']:.1%} of "
                f"{r['guesses']['listed_rows_checked']:,} listed rows (weighted as sampled)"
            )
    out = Paths.from_env().reports / "benchmarks" / "password_scale.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
