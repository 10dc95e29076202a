"""The service benchmark's parsing and CPU accounting (the wrk runs themselves are not tested)."""

import os
import time

import pytest

from benchmarks.service_load import (
    CLOCK_TICKS,
    CpuSnapshot,
    checks,
    cpu_usage,
    machine_ticks,
    parse_wrk,
    process_cpu_s,
)

WRK_OUTPUT = """Running 30s test @ http://127.0.0.1:5000/predict
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    13.10ms    1.20ms  40.00ms   90.00%
  Latency Distribution
     50%   13.14ms
     75%   13.60ms
     90%   14.20ms
     99%  850.00us
  71822 requests in 30.03s, 15.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:   2391.67
Transfer/sec:    511.00KB
"""


def test_parse_wrk_reads_throughput_latency_and_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result == {
        "requests_per_s": 2391.67,
        "p50_ms": 13.14,
        "p99_ms": 0.85,
        "requests": 71822.0,
        "non_2xx": 5.0,
        "socket_errors": 3.0,
    }


def test_machine_ticks_names_the_cpu_states():
    stat = "cpu  5975422 2331 517546 5924579 25529 0 108364 44407 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
    ticks = machine_ticks(stat)
    assert ticks["user"] == 5975422
    assert ticks["idle"] == 5924579
    assert ticks["steal"] == 44407
    assert len(ticks) == 8


def test_machine_ticks_refuses_another_line():
    with pytest.raises(ValueError, match="cpu line"):
        machine_ticks("intr 1 2 3\n")


def test_process_cpu_s_counts_this_process_working():
    before = process_cpu_s(os.getpid())
    end = time.process_time() + 0.2
    while time.process_time() < end:
        pass
    assert process_cpu_s(os.getpid()) - before >= 0.1


def _snapshot(server_s: float, children_s: float, **ticks: int) -> CpuSnapshot:
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    return CpuSnapshot({n: ticks.get(n, 0) for n in names}, server_s, children_s)


def test_cpu_usage_splits_the_machine_between_server_wrk_and_the_rest():
    # 10 s of 2 cores: server 12 s, wrk 2 s, others 2 s, steal 2 s, idle 2 s
    before = _snapshot(100.0, 50.0, user=1000, system=500, idle=300, steal=40)
    after = _snapshot(
        112.0,
        52.0,
        user=1000 + 14 * CLOCK_TICKS,
        system=500 + 2 * CLOCK_TICKS,
        idle=300 + 2 * CLOCK_TICKS,
        steal=40 + 2 * CLOCK_TICKS,
    )
    usage = cpu_usage(before, after, requests=4000)
    assert usage["server_cpu_ms_per_request"] == pytest.approx(3.0)
    assert usage["wrk_cpu_ms_per_request"] == pytest.approx(0.5)
    assert usage["steal_pct"] == pytest.approx(10.0)
    assert usage["others_pct"] == pytest.approx(10.0)
    assert usage["idle_pct"] == pytest.approx(10.0)


def test_cpu_snapshot_of_a_live_process_tree():
    snap = CpuSnapshot.take(os.getpid())
    assert snap.server_s > 0
    assert snap.machine["user"] > 0


def _result(**changes) -> dict:
    endpoint = {"requests_per_s": 1000.0, "p99_ms": 10.0, "non_2xx": 0.0, "socket_errors": 0.0}
    r = {
        "endpoints": {p: dict(endpoint) for p in ("/health", "/predict", "/explain", "/guess")},
        "memory_after_load": {"pss_mb": 250.0},
        "cold_start_s": 1.0,
        "slow_clients": {
            "slow_clients": 50,
            "held_after_probes": 50,
            "failed": None,
            "/health": {"max_ms": 20.0},
            "/predict": {"max_ms": 30.0},
        },
        "worker_kill": {"healthy_after_s": 0.05, "wrk": {"non_2xx": 0.0}},
    }
    for key, value in changes.items():
        r[key] = value
    return r


def test_checks_pass_a_run_that_meets_every_target() -> None:
    assert all(checks(_result()).values())


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        (lambda r: r["endpoints"]["/predict"].update(requests_per_s=690.0), "70% of /health"),
        (lambda r: r["endpoints"]["/guess"].update(requests_per_s=490.0), "50% of /health"),
        (lambda r: r["memory_after_load"].update(pss_mb=301.0), "PSS <= 300 MB"),
        (lambda r: r["slow_clients"]["/predict"].update(max_ms=501.0), "slow clients"),
        (lambda r: r["slow_clients"].update(held_after_probes=49), "slow clients"),
        (lambda r: r["slow_clients"].update(failed="ReadTimeout after 15.0 s"), "slow clients"),
        (lambda r: r["worker_kill"].update(healthy_after_s=2.5), "answers within 2 s"),
        (lambda r: r["worker_kill"]["wrk"].update(non_2xx=1.0), "no 5xx"),
        (lambda r: r["endpoints"]["/guess"].update(socket_errors=1.0), "zero errors"),
    ],
)
def test_checks_fail_each_missed_target(change, failed: str) -> None:
    r = _result()
    change(r)
    missed = [name for name, ok in checks(r).items() if not ok]
    assert len(missed) == 1 and failed in missed[0], missed
