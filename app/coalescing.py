"""Requests that are ready together run their model work back to back, as one batch.

Under load a gevent worker holds many connections, and one turn of its event loop hands it
several requests at once. Served one after another, each request's model work (a password's
prediction and feedback, a Hat guess) starts with caches that the server code, the other
greenlets and the kernel have just filled with their own data, so it costs several times what
it costs in a loop; and every guess reads the whole 16 MB guess matrix for one clue vector.
Here each view queues its item and waits on the hub; once every greenlet that was ready has
queued its own, one callback of the event loop runs the batch (the passwords one after another
on warm caches, the guesses through one matrix product) and wakes each view with its answer.
Nothing waits for traffic that has not arrived: a lone request is a batch of one, one turn of
the loop later. benchmarks/RESULTS.md has the measurements.

Only the gevent worker (:mod:`app.worker`) turns this on, for its own process. Elsewhere (the
Flask test client, ``flask run``, other workers) a call runs its batch of one at once, the same
code and answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from gevent.hub import Waiter, get_hub

Item = TypeVar("Item")
Answer = TypeVar("Answer")

# the most items one batch runs; the rest wait one more turn of the loop, so a flood of
# requests cannot hold one greenlet's answer behind an unbounded batch
MAX_BATCH = 64

_enabled = False


def enable() -> None:
    """Batch from now on, in this process (the gevent worker calls it as it starts)."""
    global _enabled
    _enabled = True


def disable() -> None:
    """Run every call at once again (tests)."""
    global _enabled
    _enabled = False


class Coalescer(Generic[Item, Answer]):
    """``run_batch`` over the items queued in one turn of the event loop.

    ``run_batch(items)`` returns one answer per item, in order; an answer that is an exception
    is raised in its own caller only, and an exception out of ``run_batch`` in each caller. It
    runs in the hub, outside any request: it must not block or need Flask's request or app
    context.
    """

    def __init__(self, run_batch: Callable[[Sequence[Item]], list[Answer | Exception]]) -> None:
        self.run_batch = run_batch
        self._queue: list[tuple[Item, Waiter]] = []  # one event loop a process: one queue
        self._scheduled = False

    def __call__(self, item: Item) -> Answer:
        """The answer for ``item``, from the batch it joins."""
        if not _enabled:
            (answer,) = self.run_batch([item])
            if isinstance(answer, Exception):
                raise answer
            return answer
        waiter = Waiter()
        self._queue.append((item, waiter))
        if not self._scheduled:
            self._scheduled = True
            get_hub().loop.run_callback(self._flush)
        return waiter.get()

    def _flush(self) -> None:
        batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        self._scheduled = bool(self._queue)
        if self._scheduled:
            get_hub().loop.run_callback(self._flush)
        try:
            answers = self.run_batch([item for item, _ in batch])
        except Exception as err:  # a bug in the batch: each caller gets it, not the hub
            answers = [err] * len(batch)
        for (_, waiter), answer in zip(batch, answers, strict=True):
            if isinstance(answer, Exception):
                waiter.throw(answer)
            else:
                waiter.switch(answer)
