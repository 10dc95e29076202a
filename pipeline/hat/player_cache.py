"""Our built player cached by what it is built from: the corpus's sha256, the player's parameters,
the code of ``pipeline/hat`` and the locked packages.

Building the player (our word2vec, PPMI-SVD, course-recipe copy, demo copies' tables and the
explanation table) is most of the stage's work; on unchanged data, parameters and code it would
come out the same, so a rerun restores the saved folder instead. Any change to any of them is a
new key, hence a fresh build. Entries are written to a temporary folder and renamed into place;
older entries are removed when a new one is stored (a player folder is ~100 MB).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pipeline.config import ROOT

HAT_CODE = ROOT / "pipeline" / "hat"
LOCK_FILE = ROOT / "Pipfile.lock"
META = "cache.json"
FOLDER = "player"


def code_digest() -> str:
    """sha256 over every Python file of pipeline/hat (path and bytes) and Pipfile.lock."""
    h = hashlib.sha256()
    for path in sorted(HAT_CODE.rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    if LOCK_FILE.exists():
        h.update(LOCK_FILE.read_bytes())
    return h.hexdigest()


def build_key(corpus_sha: str, config: dict[str, Any]) -> str:
    """Hex key of (corpus bytes, player parameters, code)."""
    blob = json.dumps(
        {"corpus_sha256": corpus_sha, "player": config, "code": code_digest()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def lookup(cache_dir: Path, key: str) -> tuple[Path, dict[str, Any]] | None:
    """The cached player folder of ``key`` and its record, or None."""
    entry = Path(cache_dir) / key
    if not (entry / META).exists():
        return None
    return entry / FOLDER, json.loads((entry / META).read_text())


def store(cache_dir: Path, key: str, player_dir: Path, record: dict[str, Any]) -> None:
    """Copy ``player_dir`` into the cache as ``key`` (atomically) and drop every other entry."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_dir))
    try:
        shutil.copytree(player_dir, tmp / FOLDER)
        (tmp / META).write_text(json.dumps({"key": key, **record}, indent=2, sort_keys=True))
        if (cache_dir / key).exists():
            shutil.rmtree(cache_dir / key)
        tmp.rename(cache_dir / key)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in cache_dir.iterdir():
        if old.name != key and old.is_dir() and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
