"""The stage's allocator setting: freed blocks are reused, not mapped afresh each time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import resource, sys
import numpy as np
from pipeline.hat.heap import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
def step(i):  # many blocks of a few MB alive together, as in one explanation step
    blocks = [np.ones(1 << 18, dtype=np.float32) for _ in range(10)]  # 10 x 1 MB
    return float(sum(b.sum() for b in blocks))
for i in range(20):  # warm up: the first blocks are new memory either way
    step(i)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for i in range(200):
    step(i)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],  # the repository: pipeline is importable
    )
    return int(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_blocks_are_reused_instead_of_mapped_again() -> None:
    default, kept = page_faults("default"), page_faults("keep")
    assert default > 200 * 1000  # glibc trims the freed 10 MB: each step faults ~2,560 pages in
    assert kept < 1000  # the same heap memory, reused
