"""The Hat's floors, all on the zoo's held-out families (never tuned on) and our self-play.

From params.yaml (``hat.floors``): on nouns_top_50, ours -> X and X -> ours at least
``pair_nouns`` for every held-out bot X; on the held-out list, at least ``pair_heldout`` each way;
self-play at least ``self_nouns`` (nouns_top_50) and ``self_heldout`` (held-out list); and in the
multi-player game of ours with every held-out bot, our total at least ``multi_ratio`` times the
best opponent's, on nouns_top_50 and on the held-out list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.hat.evaluate import HELDOUT, NOUNS, OURS, Tables

FLOOR_KEYS = ("pair_nouns", "pair_heldout", "self_nouns", "self_heldout", "multi_ratio")


def floor_checks(
    tables: Tables,
    multi: Mapping[str, Mapping[str, Mapping[str, int]]],
    held_out: list[str],
    floors: Mapping[str, float],
) -> list[dict[str, Any]]:
    """One record per floor: list, what is checked, the measured value, the floor, passed."""
    checks: list[dict[str, Any]] = []

    def check(word_list: str, what: str, value: float, floor: float, kind: str) -> None:
        checks.append(
            {
                "list": word_list,
                "pair": what,
                "kind": kind,
                "rate": value,
                "floor": floor,
                "passed": value >= floor,
            }
        )

    for word_list, key in ((NOUNS, "pair_nouns"), (HELDOUT, "pair_heldout")):
        rate = {pair: v["guessed_rate"] for pair, v in tables[word_list].items()}
        for x in held_out:
            for pair in (f"{OURS} -> {x}", f"{x} -> {OURS}"):
                check(word_list, pair, rate[pair], float(floors[key]), "rate")
    for word_list, key in ((NOUNS, "self_nouns"), (HELDOUT, "self_heldout")):
        pair = f"{OURS} -> {OURS}"
        check(word_list, pair, tables[word_list][pair]["guessed_rate"], float(floors[key]), "rate")
    for word_list in (NOUNS, HELDOUT):
        totals = multi[word_list]
        best = max(t["total"] for p, t in totals.items() if p != OURS)
        ratio = totals[OURS]["total"] / best if best else float("inf")
        check(
            word_list,
            "multi-player: ours / best opponent",
            ratio,
            float(floors["multi_ratio"]),
            "ratio",
        )
    return checks


def format_floor(f: Mapping[str, Any]) -> str:
    """One floor as a line: PASS/FAIL, list, what, value >= floor."""
    shown = (lambda v: f"{v:6.1%}") if f["kind"] == "rate" else (lambda v: f"{v:6.2f}x")
    mark = "PASS" if f["passed"] else "FAIL"
    return f"  [{mark}] {f['list']:<14} {f['pair']:<36} {shown(f['rate'])} >= {shown(f['floor'])}"


def format_floors(checks: list[dict[str, Any]]) -> str:
    """Every floor, one line each, under a header that says where they come from."""
    passed = sum(f["passed"] for f in checks)
    head = f"floors (held-out families and self-play; {passed} of {len(checks)} met):"
    return "\n".join([head, *(format_floor(f) for f in checks)])
