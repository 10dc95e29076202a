"""Single-password prediction latency in process, and the artifact's size.

Usage: python -m benchmarks.password_predict [--models-dir models] [--n 3000]
Times ``PasswordModel.predict(one_password)`` for passwords unknown to the model (the slow path:
features + boosting) and known ones (a hash lookup), after a warm-up, and prints percentiles.
Targets (issue 2): p99 <= 2 ms for one password; artifact <= 50 MB.
"""

from __future__ import annotations

import argparse
import random
import string
import time
from pathlib import Path

import numpy as np

from pipeline.config import Paths
from pipeline.passwords.model import ARTIFACT, PasswordModel
from pipeline.registry import production_dir


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", type=Path, default=Paths.from_env().models)
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    folder = production_dir(args.models_dir, "passwords")
    start = time.perf_counter()
    model = PasswordModel.load(folder)
    load_s = time.perf_counter() - start
    probes = unknown_passwords(args.n)
    for p in probes[:200]:  # warm-up: imports, caches, thread pools
        model.predict(p)
    timings = {"unknown password": [], "known password": []}
    for p in probes:
        t = time.perf_counter()
        model.predict(p)
        timings["unknown password"].append(time.perf_counter() - t)
    for _ in range(args.n):
        t = time.perf_counter()
        model.predict("123456")
        timings["known password"].append(time.perf_counter() - t)
    size_mb = (folder / ARTIFACT).stat().st_size / 1e6
    print(f"model {folder.name}: artifact {size_mb:.1f} MB, loaded in {load_s:.2f} s")
    for name, seconds in timings.items():
        print(f"predict one {name:<17} n={len(seconds)}  {percentiles(seconds)}")


if __name__ == "__main__":
    main()
