"""The core speed probe and its summary."""

import math
import os
import time

import pytest

from benchmarks.core_speed import CoreSpeedSampler, Sample, probe_ms, speed_summary


def test_probe_takes_cpu_time():
    assert probe_ms() > 0


def test_speed_summary_is_relative_to_the_fastest_probe():
    samples = [Sample(0, 2.0), Sample(1, 2.0), Sample(0, 4.0), Sample(1, 2.5)]
    summary = speed_summary(samples, best_ms=2.0)
    assert summary["core_speed"] == pytest.approx((1.0 + 0.8) / 2)  # median of 1, 1, 0.8, 0.5
    assert summary["slow_core_pct"] == pytest.approx(25.0)  # only the 0.5 is below 75%
    assert summary["probes"] == 4


def test_speed_summary_of_no_probes_is_not_a_number():
    summary = speed_summary([], best_ms=2.0)
    assert math.isnan(summary["core_speed"])
    assert summary["probes"] == 0


def test_sampler_probes_every_core_and_restores_the_affinity():
    allowed = os.sched_getaffinity(0)
    sampler = CoreSpeedSampler(every=0.05)
    sampler.calibrate(rounds=2)
    assert [s.cpu for s in sampler.samples] == sampler.cpus * 2
    assert os.sched_getaffinity(0) == allowed
    sampler.start()
    time.sleep(0.3)
    sampler.stop()
    assert len(sampler.samples) > 2 * len(sampler.cpus)
    assert sampler.best_ms() == min(s.ms for s in sampler.samples)


def test_stopping_a_sampler_that_never_started_is_harmless():
    CoreSpeedSampler().stop()
