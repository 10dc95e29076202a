"""Trained zoo bots cached by corpus checksum and recipe (name, family, code version, parameters,
seed).

A trained opponent is expensive (a fastText model is a minute of CPU) and the cache makes a rerun
on unchanged data train none. It also keeps the opponents of a rerun identical, whatever the
library's own reproducibility. Entries are written to a temporary folder and renamed into place,
so an interrupted run never leaves a half-written bot that a later run would load.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.hat.zoo.base import Recipe, ZooBot
from pipeline.hat.zoo.text import Posts

META = "meta.json"


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def cache_key(recipe: Recipe, corpus_sha: str) -> str:
    """Hex key of (corpus bytes, the recipe's name/family/class/version/params/seed)."""
    blob = json.dumps({"corpus_sha256": corpus_sha, "recipe": recipe.describe()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def entry(recipe: Recipe, corpus_sha: str, cache_dir: Path) -> Path:
    """The folder that holds (or will hold) the recipe's bot for this corpus."""
    return Path(cache_dir) / recipe.name / cache_key(recipe, corpus_sha)


def is_cached(recipe: Recipe, corpus_sha: str, cache_dir: Path) -> bool:
    """Whether a complete entry exists (its meta.json is written last)."""
    return (entry(recipe, corpus_sha, cache_dir) / META).exists()


def train_into_cache(
    recipe: Recipe, posts: Posts, corpus_sha: str, cache_dir: Path
) -> dict[str, Any]:
    """Train the recipe and store its bot (nothing to do when cached); returns its record."""
    folder = entry(recipe, corpus_sha, cache_dir)
    if (folder / META).exists():
        return {**json.loads((folder / META).read_text()), "cached": True}
    start, cpu = time.perf_counter(), time.process_time()
    bot = recipe.train(posts)
    meta = {
        "key": folder.name,
        "corpus_sha256": corpus_sha,
        "recipe": recipe.describe(),
        "train_seconds": round(time.perf_counter() - start, 1),
        "train_cpu_seconds": round(time.process_time() - cpu, 1),
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        recipe.save(bot, tmp)
        (tmp / META).write_text(json.dumps(meta, indent=2, sort_keys=True))
        try:
            tmp.rename(folder)
        except OSError:  # another process cached the same key meanwhile: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {**meta, "cached": False}


def load_cached(recipe: Recipe, corpus_sha: str, cache_dir: Path) -> tuple[ZooBot, dict]:
    """The cached bot and its record; FileNotFoundError when it was never trained."""
    folder = entry(recipe, corpus_sha, cache_dir)
    if not (folder / META).exists():
        raise FileNotFoundError(f"zoo bot {recipe.name} is not in the cache {cache_dir}")
    return recipe.load(folder), json.loads((folder / META).read_text())
