"""Progress lines on stderr, timed from the start of a stage, so long work never looks like a hang.

stdout is kept for what a run reports (data checks, metrics tables, decisions); progress goes to
stderr, flushed at once so it interleaves correctly with child processes' output.
"""

from __future__ import annotations

import sys
import time


class Progress:
    """``log("message")`` prints ``[stage   12.3s] message`` to stderr."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the stage started."""
        return time.perf_counter() - self.start

    def __call__(self, message: str) -> None:
        """Print one progress line with the time since the stage started."""
        print(f"[{self.stage} {self.elapsed():6.1f}s] {message}", file=sys.stderr, flush=True)
