"""How the Hat player is judged: cross-play games with the other bots, the tables, the floors.

Every explainer plays every guesser (self-play included) on every word of the host's lists and
their union, under the host's rules (:class:`pipeline.hat.simulator.Simulator`). The promotion
metric is our bot's mean guessed rate with the baselines, both directions, on the union.
"""

from __future__ import annotations

from typing import Any

from pipeline.hat.simulator import Simulator
from pipeline.runs.names import metric_key, put_metric

UNION = "union_all_four"
OURS, RAW, COUNT, PRODUCTION = "ours", "w2v_raw", "ppmi_svd", "production"
PROBE_WORDS = ["computer", "space", "car", "god", "game", "money", "water", "president"]


def play_all(
    sim: Simulator, bots: dict[str, Any], lists: dict[str, list[str]]
) -> dict[str, dict[str, dict[str, float]]]:
    """Every pair of :func:`pairs` on the words of ``lists[UNION]``, summarised per list."""
    games = {(e, g): sim.play(bots[e], bots[g], lists[UNION]) for e, g in pairs(bots)}
    return tables_of(sim, games, lists)


def pairs(bots: dict[str, Any]) -> list[tuple[str, str]]:
    """Every explainer -> guesser pair, self-play included; production plays the baselines only."""
    return [
        (e, g)
        for e in bots
        for g in bots
        if not (PRODUCTION in (e, g) and (OURS in (e, g) or e == g))
    ]


def tables_of(
    sim: Simulator, games: dict[tuple[str, str], list], lists: dict[str, list[str]]
) -> dict[str, dict[str, dict[str, float]]]:
    """Per word list, per ``explainer -> guesser``: guessed rate and mean guesser score."""
    tables: dict[str, dict[str, dict[str, float]]] = {}
    for name, words in lists.items():
        tables[name] = {}
        for (e, g), results in games.items():
            by_word = {r.word: r for r in results}
            stats = sim.summarize([by_word[w] for w in words])
            tables[name][f"{e} -> {g}"] = {
                "guessed_rate": stats.guessed_rate,
                "mean_score": stats.mean_score,
            }
    return tables


def cross_play_score(table: dict[str, dict[str, float]], bot: str) -> float:
    """The promotion metric: mean guessed rate of ``bot`` with each baseline, both directions."""
    wanted = [f"{bot} -> {b}" for b in (RAW, COUNT)] + [f"{b} -> {bot}" for b in (RAW, COUNT)]
    return sum(table[p]["guessed_rate"] for p in wanted) / len(wanted)


def floor_checks(tables: dict[str, dict[str, dict[str, float]]]) -> list[dict[str, Any]]:
    """The floors: each pair with a baseline at least twice the baseline <-> baseline rate
    (the rate into / out of that same baseline), and self-play >= 70% on nouns_top_50.
    """
    checks = []
    for name in ("nouns_top_50", UNION):
        t = tables[name]
        rate = {pair: v["guessed_rate"] for pair, v in t.items()}
        b2b = max(rate[f"{RAW} -> {COUNT}"], rate[f"{COUNT} -> {RAW}"])
        pairs = {
            f"{OURS} -> {RAW}": rate[f"{COUNT} -> {RAW}"],
            f"{OURS} -> {COUNT}": rate[f"{RAW} -> {COUNT}"],
            f"{RAW} -> {OURS}": rate[f"{RAW} -> {COUNT}"],
            f"{COUNT} -> {OURS}": rate[f"{COUNT} -> {RAW}"],
        }
        for pair, same_side in pairs.items():
            checks.append(
                {
                    "list": name,
                    "pair": pair,
                    "rate": rate[pair],
                    "floor_pairwise": 2 * same_side,
                    "floor_strict": 2 * b2b,
                    "passed": rate[pair] >= 2 * same_side,
                    "passed_strict": rate[pair] >= 2 * b2b,
                }
            )
    nouns_self = tables["nouns_top_50"][f"{OURS} -> {OURS}"]["guessed_rate"]
    checks.append(
        {
            "list": "nouns_top_50",
            "pair": f"{OURS} -> {OURS}",
            "rate": nouns_self,
            "floor_pairwise": 0.70,
            "floor_strict": 0.70,
            "passed": nouns_self >= 0.70,
            "passed_strict": nouns_self >= 0.70,
        }
    )
    return checks


def format_tables(tables: dict[str, dict[str, dict[str, float]]]) -> str:
    """The cross-play tables as printed and saved with the model."""
    lines = []
    for name, table in tables.items():
        lines.append(f"== {name}: guessed within the clues / mean guesser score")
        lines.append(f"  {'explainer -> guesser':<28}{'guessed':>9}{'score':>7}")
        for pair, v in table.items():
            lines.append(f"  {pair:<28}{v['guessed_rate']:>9.1%}{v['mean_score']:>7.2f}")
    return "\n".join(lines)


def format_floors(floors: list[dict[str, Any]]) -> str:
    """One line per floor, with the measured rate."""
    lines = [
        "floors (x2 the higher baseline <-> baseline rate; in brackets: x2 that same baseline's"
        " rate with the other one):"
    ]
    for f in floors:
        mark = "PASS" if f["passed_strict"] and f["passed"] else "FAIL"
        lenient = "pass" if f["passed"] else "fail"
        lines.append(
            f"  [{mark}] {f['list']:<14} {f['pair']:<22} {f['rate']:6.1%} "
            f">= {f['floor_strict']:6.1%} ({f['floor_pairwise']:6.1%}: {lenient})"
        )
    return "\n".join(lines)


def tracked_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The report's metrics for MLflow: the promotion score, the cross-play table of every
    explainer -> guesser pair on every word list, and how many floors passed.
    """
    out: dict[str, float] = {}
    put_metric(out, "hat.cross_play_score", report.get("cross_play_score"))
    for word_list, table in report.get("tables", {}).items():
        for pair, values in table.items():
            for name, value in values.items():
                put_metric(out, metric_key("hat", word_list, pair, name), value)
    floors = report.get("floors") or []
    if floors:
        out["hat.floors_passed"] = float(sum(bool(f.get("passed")) for f in floors))
        out["hat.floors_total"] = float(len(floors))
    return out


def probe_predictions(player: Any) -> dict[str, list[list[str]]]:
    """Clues and guesses for a fixed set of words, for the reproducibility check."""
    words = [w for w in PROBE_WORDS if player.knows(w)] or player.words[:8]
    return {w: [player.explain(w, 5), player.guess([w], 5)] for w in words}
