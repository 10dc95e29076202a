"""Single-password prediction latency in process, the artifact's size and the process's memory.

Usage: python -m benchmarks.password_predict [--models-dir models] [--n 3000]
Times ``PasswordModel.predict(one_password)`` for passwords unknown to the model (the slow path:
features + boosting) and known ones (a hash lookup), after a warm-up, and prints percentiles;
then the two parts of the slow path (``features.features_one`` and ``FlatForest.predict_one``
for one row), a batch of 10,000 unknown passwords (the evaluation's case), and the process's RSS.
Targets: one-password p99 <= 2 ms and artifact <= 50 MB. The service sets a tighter
budget of its own (not an issue's number, and not checked here): one unknown password p50 <= 0.15 ms
and p99 <= 0.5 ms, so that ``/predict`` keeps up with a bare Flask request (the service's ratio).
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from pathlib import Path

import numpy as np

from pipeline.config import Paths
from pipeline.passwords import features
from pipeline.passwords.model import ARTIFACT, PasswordModel
from pipeline.registry.store import production_dir

HEAVY = ("sklearn", "scipy", "pandas", "matplotlib", "zxcvbn", "joblib")


def unknown_passwords(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "!@#$%"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(6, 16))) for _ in range(n)]


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return (
        f"p50 {np.percentile(ms, 50):.3f} ms  p90 {np.percentile(ms, 90):.3f} ms  "
        f"p99 {np.percentile(ms, 99):.3f} ms  max {ms.max():.3f} ms"
    )


def rss_mb() -> float:
    """The resident memory of the current process (Linux), NaN elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def timed(call, items) -> list[float]:
    out = []
    for item in items:
        t = time.perf_counter()
        call(item)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", type=Path, default=Paths.from_env().models)
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    folder = production_dir(args.models_dir, "passwords")
    start = time.perf_counter()
    model = PasswordModel.load(folder)
    load_s = time.perf_counter() - start
    assert model.known is not None and model.forest is not None
    probes = unknown_passwords(args.n)
    for p in probes[:200]:  # warm-up: caches, first allocations
        model.predict(p)
    timings = {
        "unknown password": timed(model.predict, probes),
        "known password": timed(model.predict, ["123456"] * args.n),
    }
    tables = model.serving_tables()
    rows = [features.features_one(p, tables) for p in probes]
    parts = {
        "features_one": timed(lambda p: features.features_one(p, tables), probes),
        "FlatForest": timed(model.forest.predict_one, rows),
    }
    batch = unknown_passwords(10_000, seed=1)
    t = time.perf_counter()
    model.predict(batch)
    batch_s = time.perf_counter() - t
    size_mb = (folder / ARTIFACT).stat().st_size / 1e6
    print(f"model {folder.name}: artifact {size_mb:.1f} MB, loaded in {load_s:.2f} s")
    for name, seconds in timings.items():
        print(f"predict one {name:<17} n={len(seconds)}  {percentiles(seconds)}")
    for name, seconds in parts.items():
        print(f"  of which {name:<17}   n={len(seconds)}  {percentiles(seconds)}")
    print(f"predict a batch of 10,000 unknown passwords: {batch_s:.2f} s")
    loaded = [m for m in HEAVY if m in sys.modules]
    print(f"process RSS {rss_mb():.0f} MB; heavy modules imported: {', '.join(loaded) or 'none'}")


if __name__ == "__main__":
    main()
