"""The stage's games on every core, and every bot's answers kept for the next run.

The games are tens of thousands of bot calls of a few milliseconds each, memoised per bot by the
simulator. Here the explanations are asked first, one task per explainer, then the guesses, one
task per explainer -> guesser game, in forked worker processes that share the loaded bots; the
parent takes their answers and the evaluation then plays every game from memory.

The answers of every bot with a stable key (a zoo bot's cache key, our player's build key) are
saved in one file whose name is a digest of the code and the game's rules; a rerun whose bots are
unchanged plays from it without asking any bot, and a changed bot (a new key) is asked again.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from pipeline.hat.simulator import Simulator

_bots: Mapping[str, Any] = {}  # set before the workers fork; read by the tasks
_sim: Simulator | None = None


def _explain_task(task: tuple[str, list[str]]) -> dict[str, dict]:
    name, words = task
    assert _sim is not None
    with threadpool_limits(1):
        for w in words:
            _sim._explain(_bots[name], w)
    return _sim.answers([_sim._key(_bots[name])])


def _guess_task(task: tuple[str, str, list[str]]) -> dict[str, dict]:
    explainer, guesser, words = task
    assert _sim is not None
    with threadpool_limits(1):
        _sim.play_rounds(_bots[explainer], _bots[guesser], words)
    key = _sim._key(_bots[guesser])
    return {key: {"guess": _sim.answers([key])[key]["guess"]}}


def _run(
    fn: Callable[[Any], dict],
    tasks: list[Any],
    processes: int,
    sim: Simulator,
    log: Callable[[str], None],
    what: str,
) -> None:
    start = time.perf_counter()
    if processes <= 1 or len(tasks) <= 1:
        results = map(fn, tasks)
        pool = None
    else:
        pool = mp.get_context("fork").Pool(processes)
        results = pool.imap_unordered(fn, tasks)
    try:
        for i, answers in enumerate(results, 1):
            sim.remember(answers)
            if i % 10 == 0 or i == len(tasks):
                log(f"  {what}: {i}/{len(tasks)} tasks ({time.perf_counter() - start:.0f}s)")
    finally:
        if pool is not None:
            pool.close()
            pool.join()


def play_parallel(
    sim: Simulator,
    bots: Mapping[str, Any],
    games: Sequence[tuple[str, str, list[str]]],
    processes: int,
    log: Callable[[str], None] = print,
) -> None:
    """Fill ``sim``'s memory with every answer ``games`` (explainer, guesser, words) needs."""
    global _bots, _sim
    words_of: dict[tuple[str, str], dict[str, None]] = {}
    for e, g, words in games:
        words_of.setdefault((e, g), {}).update(dict.fromkeys(words))
    explains: dict[str, dict[str, None]] = {}
    for (e, _), words in words_of.items():
        explains.setdefault(e, {}).update(words)
    _bots, _sim = bots, sim
    try:
        _run(
            _explain_task,
            [(e, list(ws)) for e, ws in explains.items()],
            processes,
            sim,
            log,
            "explanations",
        )
        # biggest first, so the last task to finish is a short one
        tasks = sorted(
            ((e, g, list(ws)) for (e, g), ws in words_of.items()), key=lambda t: -len(t[2])
        )
        _run(_guess_task, tasks, processes, sim, log, "games")
    finally:
        _bots, _sim = {}, None


def answers_file(folder: Path, code_digest: str, rules: Mapping[str, Any]) -> Path:
    """Where the answers of bots playing by ``rules`` with this code are kept."""
    blob = json.dumps({"code": code_digest, "rules": dict(rules)}, sort_keys=True, default=str)
    return Path(folder) / f"answers-{hashlib.sha256(blob.encode()).hexdigest()[:16]}.pkl"


def load_answers(path: Path) -> dict[str, dict]:
    """The saved answers ({} when there are none, or the file is unreadable)."""
    try:
        with Path(path).open("rb") as fh:
            out = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError):
        return {}
    return out if isinstance(out, dict) else {}


def save_answers(path: Path, answers: Mapping[str, dict]) -> None:
    """Write the answers atomically and drop the files of other code or rules."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".answers-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(dict(answers), fh, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob("answers-*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)
