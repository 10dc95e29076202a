"""Coalescer: the items queued in one turn of the event loop run as one batch, each caller gets
its own answer or its own error, and without the worker's switch every call runs alone at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import gevent
import pytest

from app import coalescing
from app.coalescing import MAX_BATCH, Coalescer


class Doubler:
    """A batch function that records its batches; ``"bad"`` items fail alone, ``"boom"`` fails
    the whole batch.
    """

    def __init__(self) -> None:
        self.batches: list[list[object]] = []

    def __call__(self, items: Sequence[object]) -> list[object]:
        self.batches.append(list(items))
        if "boom" in items:
            raise RuntimeError("the batch broke")
        return [ValueError(f"bad item {i}") if i == "bad" else i * 2 for i in items]


@pytest.fixture
def enabled() -> Iterator[None]:
    coalescing.enable()
    yield
    coalescing.disable()


def run_together(coalescer: Coalescer, items: list[object]) -> list[object]:
    """Each item from its own greenlet, all spawned before any runs: what they returned or
    raised.
    """
    greenlets = [gevent.spawn(coalescer, item) for item in items]
    gevent.joinall(greenlets, timeout=10)
    assert all(g.ready() for g in greenlets)
    return [g.value if g.successful() else g.exception for g in greenlets]


def test_without_the_switch_each_call_is_a_batch_of_one() -> None:
    batch = Doubler()
    coalescer = Coalescer(batch)
    assert coalescer(3) == 6 and coalescer(4) == 8
    assert batch.batches == [[3], [4]]
    with pytest.raises(ValueError, match="bad item"):
        coalescer("bad")


def test_requests_ready_together_run_as_one_batch_in_order(enabled) -> None:
    batch = Doubler()
    answers = run_together(Coalescer(batch), list(range(10)))
    assert answers == [i * 2 for i in range(10)]
    assert batch.batches == [list(range(10))]


def test_a_failed_item_fails_only_its_own_caller(enabled) -> None:
    answers = run_together(Coalescer(Doubler()), [1, "bad", 3])
    assert answers[0] == 2 and answers[2] == 6
    assert isinstance(answers[1], ValueError)


def test_a_failed_batch_fails_each_caller_and_the_next_batch_runs(enabled) -> None:
    batch = Doubler()
    coalescer = Coalescer(batch)
    answers = run_together(coalescer, [1, "boom"])
    assert all(isinstance(a, RuntimeError) for a in answers)
    assert run_together(coalescer, [5]) == [10]


def test_a_flood_is_cut_into_batches_of_at_most_max_batch(enabled) -> None:
    batch = Doubler()
    n = 2 * MAX_BATCH + 5
    assert run_together(Coalescer(batch), list(range(n))) == [i * 2 for i in range(n)]
    assert [len(b) for b in batch.batches] == [MAX_BATCH, MAX_BATCH, 5]


def test_callers_that_ask_again_at_once_make_the_next_batch(enabled) -> None:
    """A caller woken by its answer that queues again before it blocks (a kept-alive connection
    whose next request was already read) joins a batch of its own turn, not the one running.
    """
    batch = Doubler()
    coalescer = Coalescer(batch)

    def twice(i: int) -> tuple[object, object]:
        return coalescer(i), coalescer(i + 10)

    greenlets = [gevent.spawn(twice, i) for i in range(3)]
    gevent.joinall(greenlets, timeout=10)
    assert [g.value for g in greenlets] == [(0, 20), (2, 22), (4, 24)]
    assert batch.batches == [[0, 1, 2], [10, 11, 12]]
