"""Progress lines on stderr, timed from the start of a stage, so long work never looks like a hang.

stdout is kept for what a run reports (data checks, metrics tables, decisions); progress goes to
stderr, flushed at once so it interleaves correctly with child processes' output.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator


class Progress:
    """``log("message")`` prints ``[stage   12.3s] message`` to stderr."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.began = time.perf_counter()
        self._pace_start = self.began

    def elapsed(self) -> float:
        """Seconds since the stage started."""
        return time.perf_counter() - self.began

    def __call__(self, message: str) -> None:
        """Print one progress line with the time since the stage started."""
        print(f"[{self.stage} {self.elapsed():6.1f}s] {message}", file=sys.stderr, flush=True)

    def pace(
        self, what: str, done: int, total: int | None = None, share: float | None = None
    ) -> None:
        """A progress line for long work: how much is done, at what rate, and the time left,
        from ``total`` items or from ``share``, the fraction of the work done (e.g. of a file's
        bytes). Call :meth:`start` before the work to time it from there.
        """
        elapsed = time.perf_counter() - self._pace_start
        rate = done / elapsed if elapsed > 0 else 0.0
        frac = share if share is not None else (done / total if total else None)
        text = f"{what}: {done:,}" + (f"/{total:,}" if total else "")
        text += f" ({rate:,.0f}/s"
        if frac is not None and 0 < frac < 1:
            text += f", {frac:.0%}, ~{elapsed * (1 - frac) / frac:.0f}s left"
        self(text + ")")

    def start(self) -> None:
        """Time the next :meth:`pace` lines from now."""
        self._pace_start = time.perf_counter()

    def pacer(self, what: str, every: float = 10.0) -> Callable[[int, int], None]:
        """``step(done, total)`` for work that reports often: a :meth:`pace` line at most every
        ``every`` seconds, and one when it is done; timed from this call.
        """
        self.start()
        last = [time.perf_counter()]

        def step(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] >= every or done >= total:
                last[0] = now
                self.pace(what, done, total)

        return step


HEARTBEAT_SECONDS = 15.0


@contextlib.contextmanager
def heartbeat(
    say: Callable[[str], None],
    what: str,
    done: Callable[[], int],
    every: float = HEARTBEAT_SECONDS,
) -> Iterator[None]:
    """While the block runs (a library call that reports nothing), say every ``every`` seconds how
    far it is (``done()``) and at what rate, from a background thread.
    """
    stop = threading.Event()
    started = time.perf_counter()

    def beat() -> None:
        while not stop.wait(every):
            n = done()
            elapsed = time.perf_counter() - started
            say(f"{what}: {n:,} in {elapsed:.0f}s ({n / elapsed:.1f}/s)")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
