"""Training in the background: the zoo's bots, our copies of their recipes, our course-recipe model.

Each job is single-threaded (fastText with one thread, gensim with one worker, BLAS limited to one
thread), so two forked workers keep both cores busy while the main process builds our player, and
every model is a function of its data and seed. The workers are forked after the posts are read,
so they share them instead of reading the archive again. Jobs start in the order given: the
stage puts first what our player needs, then the longest.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.hat.zoo.base import Recipe
from pipeline.hat.zoo.cache import train_into_cache
from pipeline.hat.zoo.text import Posts

_posts: Posts | None = None  # set before the workers fork; read by the jobs in the workers


def _limited(fn: Callable[..., Any], *args: Any) -> Any:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return fn(*args)


def _zoo_job(recipe: Recipe, corpus_sha: str, cache_dir: str) -> dict[str, Any]:
    assert _posts is not None
    return _limited(train_into_cache, recipe, _posts, corpus_sha, Path(cache_dir))


def _pickled_job(fn: Callable[[Posts], Any], out: str) -> dict[str, Any]:
    """Run ``fn(posts)`` and pickle its result to ``out`` (a file the parent reads back)."""
    assert _posts is not None
    start, cpu = time.perf_counter(), time.process_time()
    value = _limited(fn, _posts)
    with Path(out).open("wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "train_seconds": round(time.perf_counter() - start, 1),
        "train_cpu_seconds": round(time.process_time() - cpu, 1),
    }


class Trainer:
    """Two forked workers that train while the caller works; ``wait(name)`` blocks on one job."""

    def __init__(self, posts: Posts, log: Callable[[str], None], workers: int = 2) -> None:
        global _posts
        _posts = posts
        self.log = log
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
        self.futures: dict[str, cf.Future] = {}

    def zoo(self, recipe: Recipe, corpus_sha: str, cache_dir: Path) -> None:
        """Train ``recipe`` into the zoo cache (a no-op for a cached bot)."""
        self._submit(recipe.name, _zoo_job, recipe, corpus_sha, str(cache_dir))

    def pickled(self, name: str, fn: Callable[[Posts], Any], out: Path) -> None:
        """Run ``fn(posts)`` (a module-level function) and keep its result in file ``out``."""
        self._submit(name, _pickled_job, fn, str(out))

    def _submit(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        future = self.pool.submit(fn, *args)
        future.add_done_callback(lambda f, n=name: self._done(n, f))
        self.futures[name] = future

    def _done(self, name: str, future: cf.Future) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # wait() raises it in the main thread
        record = future.result()
        if not record.get("cached"):
            self.log(
                f"  trained {name} in {record['train_seconds']:.0f}s"
                f" ({record['train_cpu_seconds']:.0f}s CPU)"
            )

    def wait(self, name: str) -> dict[str, Any]:
        """The record of job ``name`` once it is done; its exception if it failed."""
        return self.futures[name].result()

    def records(self) -> dict[str, dict[str, Any]]:
        """Every job's record, waiting for all of them."""
        return {name: self.wait(name) for name in self.futures}

    def close(self) -> None:
        """Stop the workers (pending jobs are cancelled)."""
        self.pool.shutdown(cancel_futures=True)

    def __enter__(self) -> Trainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
