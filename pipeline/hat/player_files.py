"""A player on disk: plain ``.npy`` arrays, text files and ``meta.json`` in one folder, loadable
with memory maps and without gensim, scikit-learn or nltk, so serving processes share the pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.hat.guesser import LIST_FILES, GuessLists
from pipeline.hat.listeners import Csr, Listener, csr_arrays

if TYPE_CHECKING:
    from pipeline.hat.player import HatPlayer


def save_player(player: HatPlayer, path: str | Path) -> None:
    """Plain .npy arrays + JSON: loadable with mmap and without gensim/sklearn/nltk."""
    d = Path(path)
    d.mkdir(parents=True, exist_ok=True)
    np.save(d / "vectors.npy", np.ascontiguousarray(player.vectors, dtype=np.float32))
    np.save(d / "clue_ok.npy", player.clue_ok)
    np.save(d / "guess_ok.npy", player.guess_ok)
    np.save(d / "logfreq_z.npy", player.logfreq_z.astype(np.float32))
    np.save(d / "hub.npy", player.hub.astype(np.float32))
    np.save(d / "is_stop.npy", player.is_stop)
    np.save(d / "assoc_indptr.npy", np.asarray(player.assoc.indptr, dtype=np.int64))
    np.save(d / "assoc_indices.npy", np.asarray(player.assoc.indices, dtype=np.int32))
    np.save(d / "assoc_data.npy", np.asarray(player.assoc.data, dtype=np.float32))
    tables = (("reverse", player.reverse), ("inverse", player.inverse))
    for name, m in (
        *tables,
        ("demo_reverse", player.demo_reverse),
        ("demo_inverse", player.demo_inverse),
    ):
        c = csr_arrays(m)
        np.save(d / f"{name}_indptr.npy", c.indptr)
        np.save(d / f"{name}_indices.npy", c.indices)
        np.save(d / f"{name}_data.npy", c.data)
    (d / "inv_keys.txt").write_text("".join(f"{k}\n" for k in player.inv_keys))
    (d / "words.txt").write_text("\n".join(player.words) + "\n")
    stems = sorted(player.word_to_stem.items())
    (d / "stems.tsv").write_text("".join(f"{w}\t{s}\n" for w, s in stems))
    save_explanations(player, d)
    save_guess_lists(player, d)
    listeners = {li.name: li.weight for li in player.listeners}
    for li in player.listeners:
        li.save(d / "listeners" / li.name)
    (d / "meta.json").write_text(
        json.dumps(
            {"scoring": player.scoring, "meta": player.meta, "listeners": listeners},
            indent=2,
            sort_keys=True,
        )
    )


def save_guess_lists(player: HatPlayer, path: str | Path) -> None:
    """Write the guesser's candidate lists (if any) into the player folder `path`."""
    lists = player.guess_lists
    if lists is not None:
        d = Path(path)
        for name, a in zip(LIST_FILES, (lists.rows, lists.values, lists.floor), strict=True):
            np.save(d / name, a)


def save_explanations(player: HatPlayer, path: str | Path) -> None:
    """Write the explanation table (if any) into the player folder `path`."""
    if player.table_rows is not None and player.table_clues is not None:
        d = Path(path)
        np.save(d / "table_rows.npy", np.asarray(player.table_rows, dtype=np.int32))
        np.save(d / "table_clues.npy", np.asarray(player.table_clues, dtype=np.int32))


def player_parts(path: str | Path, mmap: bool = True) -> dict[str, Any]:
    """The constructor arguments of a player saved by :func:`save_player`; large arrays are
    memory-mapped, not copied.
    """
    d = Path(path)
    mode = "r" if mmap else None
    meta = json.loads((d / "meta.json").read_text())
    parts = ("indptr", "indices", "data")
    word_to_stem = dict(
        line.split("\t", 1) for line in (d / "stems.tsv").read_text().splitlines() if line
    )
    return dict(
        words=(d / "words.txt").read_text().split(),
        vectors=np.load(d / "vectors.npy", mmap_mode=mode),
        clue_ok=np.load(d / "clue_ok.npy"),
        guess_ok=np.load(d / "guess_ok.npy"),
        logfreq_z=np.load(d / "logfreq_z.npy"),
        hub=np.load(d / "hub.npy"),
        is_stop=np.load(d / "is_stop.npy"),
        assoc=Csr(
            np.load(d / "assoc_indptr.npy", mmap_mode=mode),
            np.load(d / "assoc_indices.npy", mmap_mode=mode),
            np.load(d / "assoc_data.npy", mmap_mode=mode),
        ),
        word_to_stem=word_to_stem,
        reverse=Csr(*(np.load(d / f"reverse_{a}.npy", mmap_mode=mode) for a in parts)),
        inv_keys=(d / "inv_keys.txt").read_text().split(),
        inverse=Csr(*(np.load(d / f"inverse_{a}.npy", mmap_mode=mode) for a in parts)),
        scoring=meta["scoring"],
        meta=meta.get("meta", {}),
        listeners=[
            Listener.load(d / "listeners" / name, name, float(w), mode)
            for name, w in sorted(meta.get("listeners", {}).items())
        ],
        # optional: without them every guess scores every row (the same answers, slower)
        guess_lists=(
            GuessLists(*(np.load(d / name, mmap_mode=mode) for name in LIST_FILES))
            if all((d / name).exists() for name in LIST_FILES)
            else None
        ),
        # optional: players saved before the demo's tables neither reorder nor decode for it
        **{
            name: (
                Csr(*(np.load(d / f"{name}_{a}.npy", mmap_mode=mode) for a in parts))
                if (d / f"{name}_indptr.npy").exists()
                else None
            )
            for name in ("demo_reverse", "demo_inverse")
        },
        # optional: players saved before the table, and tests, compute every explanation
        table_rows=np.load(d / "table_rows.npy") if (d / "table_rows.npy").exists() else None,
        table_clues=(
            np.load(d / "table_clues.npy", mmap_mode=mode)
            if (d / "table_clues.npy").exists()
            else None
        ),
    )
