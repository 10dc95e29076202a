"""How fast this machine's cores run right now, measured with a fixed piece of Python.

Usage: python -m benchmarks.core_speed [--seconds 60] [--every 0.5]

On a shared VM a core can run at about half its speed for seconds at a time while the hypervisor
reports no steal: the other hyperthread of the physical core, or the host, is busy with another
guest. Steal cannot show it and neither can the server's CPU per request alone, which also moves
with the service's own work. A fixed workload can: the same Python loop, pinned to each core in
turn, takes ~2 ms of CPU on a free core and up to twice that on a contended one.

``service_load`` runs a :class:`CoreSpeedSampler` during each endpoint's wrk run, so every run
says how fast the cores were while it was measured. The sampler's cost is a probe of ~2 ms per
core every ``every`` seconds (~0.4% of the machine at the default).
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from dataclasses import dataclass

PROBE_ITERATIONS = 20_000
SLOW = 0.75  # a probe below this share of the fastest probe's speed counts as a slow core


def probe_ms() -> float:
    """CPU milliseconds the calling thread takes for a fixed loop of dict updates.

    CPU time, not wall time: being preempted does not count, only how fast the core ran the loop.
    The loop's data (a thousand-key dict) stays in the core's caches, so the probe measures the
    core, not the memory traffic of whatever else runs.
    """
    start = time.thread_time()
    counts: dict[int, int] = {}
    for i in range(PROBE_ITERATIONS):
        k = i % 997
        counts[k] = counts.get(k, 0) + i
    return (time.thread_time() - start) * 1000


@dataclass(frozen=True)
class Sample:
    """One probe: which core and its CPU milliseconds."""

    cpu: int
    ms: float


def speed_summary(samples: list[Sample], best_ms: float) -> dict[str, float]:
    """The cores' speed over ``samples``, relative to the fastest probe seen (``best_ms``).

    ``core_speed`` is the median of ``best_ms / ms`` (1.0: as fast as the machine has run here;
    0.5: half as fast) and ``slow_core_pct`` the share of probes below :data:`SLOW`.
    """
    if not samples:
        return {"core_speed": float("nan"), "slow_core_pct": float("nan"), "probes": 0}
    speeds = [best_ms / s.ms for s in samples]
    return {
        "core_speed": statistics.median(speeds),
        "slow_core_pct": 100 * sum(v < SLOW for v in speeds) / len(speeds),
        "probes": len(samples),
    }


class CoreSpeedSampler:
    """A thread that probes each core in turn every ``every`` seconds until stopped.

    ``samples`` grows as it runs; take ``len(sampler.samples)`` before and after a stretch of work
    to get that stretch's probes.
    """

    def __init__(self, every: float = 0.5, cpus: list[int] | None = None) -> None:
        self.every = every
        self.cpus = sorted(cpus if cpus is not None else os.sched_getaffinity(0))
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="core-speed", daemon=True)

    def calibrate(self, rounds: int = 10) -> None:
        """Probe every core ``rounds`` times now, so the fastest probe is likely a free core's."""
        for _ in range(rounds):
            self._probe_all()

    def start(self) -> CoreSpeedSampler:
        """Probe in the background from now on."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop probing (and wait for a probe under way); a no-op if not running."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def best_ms(self) -> float:
        """The fastest probe so far: the reference for 'full speed'."""
        return min(s.ms for s in self.samples)

    def _probe_all(self) -> None:
        allowed = os.sched_getaffinity(0)
        try:
            for cpu in self.cpus:
                os.sched_setaffinity(0, {cpu})  # 0: this thread only
                self.samples.append(Sample(cpu, probe_ms()))
        finally:
            os.sched_setaffinity(0, allowed)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._probe_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=0.5, help="seconds between probes")
    args = parser.parse_args()
    sampler = CoreSpeedSampler(args.every)
    sampler.calibrate()
    sampler.start()
    time.sleep(args.seconds)
    sampler.stop()
    best = sampler.best_ms()
    print(f"fastest probe {best:.2f} ms; per core over {args.seconds:.0f} s:")
    for cpu in sampler.cpus:
        mine = [s for s in sampler.samples if s.cpu == cpu]
        summary = speed_summary(mine, best)
        print(
            f"  cpu {cpu}: median speed {summary['core_speed']:.2f},"
            f" slow (< {SLOW:.0%}) in {summary['slow_core_pct']:.0f}% of {len(mine)} probes"
        )


if __name__ == "__main__":
    main()
