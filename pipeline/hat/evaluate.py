"""How the Hat player is judged: games with the opponent zoo, the multi-player game, the
promotion metric.

Our bot plays every zoo bot in both directions (it explains, the bot guesses; and the reverse),
and itself, on every word of the host's four lists and their union (the lists the player is tuned
on) and of the held-out noun list (:mod:`pipeline.hat.heldout`, never tuned on), under the host's
rules (:class:`pipeline.hat.simulator.Simulator`). The zoo's tuning and held-out families
(:mod:`pipeline.hat.zoo.recipes`) are reported apart; the promotion metric, the multi-player game
and the floors (:mod:`pipeline.hat.floors`) use the held-out families only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.hat.heldout import NAME as HELDOUT
from pipeline.hat.simulator import Simulator
from pipeline.hat.zoo.recipes import HELD_OUT, TUNING
from pipeline.runs.names import metric_key, put_metric

NOUNS, UNION = "nouns_top_50", "union_all_four"
OURS, PRODUCTION = "ours", "production"
METRIC_LISTS = (UNION, HELDOUT)  # the promotion metric: the host's words and the held-out words
MULTI_LISTS = (NOUNS, UNION, HELDOUT)
PROBE_WORDS = ["computer", "space", "car", "god", "game", "money", "water", "president"]

Tables = dict[str, dict[str, dict[str, float]]]  # list -> "explainer -> guesser" -> stats


@dataclass(frozen=True)
class Lineup:
    """Who plays: our candidate, the zoo's bots (each with its family and side of the split) and,
    when there is one, the production player (for the promotion, against held-out bots only).
    """

    ours: Any
    zoo: Mapping[str, Any]
    families: Mapping[str, str]
    sides: Mapping[str, str]
    production: Any = None

    def names(self, side: str) -> list[str]:
        """The zoo bots of one side of the split (``TUNING`` or ``HELD_OUT``), in zoo order."""
        return [n for n in self.zoo if self.sides[n] == side]

    def bots(self) -> dict[str, Any]:
        """Every player by name."""
        out = {OURS: self.ours, **self.zoo}
        if self.production is not None:
            out[PRODUCTION] = self.production
        return out


def pairs(lineup: Lineup) -> list[tuple[str, str]]:
    """The explainer -> guesser games: ours with itself and with each zoo bot both ways;
    production with each held-out bot both ways.
    """
    out = [(OURS, OURS)]
    for name in lineup.zoo:
        out += [(OURS, name), (name, OURS)]
    if lineup.production is not None:
        for name in lineup.names(HELD_OUT):
            out += [(PRODUCTION, name), (name, PRODUCTION)]
    return out


def multi_players(lineup: Lineup) -> dict[str, Any]:
    """The multi-player game's table: ours and every held-out bot."""
    return {OURS: lineup.ours, **{n: lineup.zoo[n] for n in lineup.names(HELD_OUT)}}


def plan(lineup: Lineup, lists: Mapping[str, list[str]]) -> list[tuple[str, str, list[str]]]:
    """Every explainer -> guesser game :func:`play_all` plays, as (explainer, guesser, words):
    the pairs on every word of every list, and the multi-player games' pairs on theirs.
    """
    words = list(dict.fromkeys(w for ws in lists.values() for w in ws))
    out = [(e, g, words) for e, g in pairs(lineup)]
    multi_words = list(dict.fromkeys(w for name in MULTI_LISTS for w in lists[name]))
    players = list(multi_players(lineup))
    out += [(e, g, multi_words) for e in players for g in players if e != g]
    return out


def play_all(
    sim: Simulator, lineup: Lineup, lists: Mapping[str, list[str]]
) -> tuple[Tables, dict[str, dict[str, dict[str, int]]]]:
    """The pair tables of every list, and the multi-player game of ours with every held-out bot
    on each of :data:`MULTI_LISTS` (per player: explaining, guessing and total points).
    The simulator memoises every answer, so games already played (:mod:`pipeline.hat.games`
    plays them on several processes) cost nothing here.
    """
    bots = lineup.bots()
    words = list(dict.fromkeys(w for ws in lists.values() for w in ws))
    games = {(e, g): sim.play(bots[e], bots[g], words) for e, g in pairs(lineup)}
    tables = tables_of(sim, games, lists)
    table_players = multi_players(lineup)
    multi = {name: sim.play_multi(table_players, lists[name]) for name in MULTI_LISTS}
    return tables, multi


def tables_of(sim: Simulator, games: Mapping[tuple[str, str], list], lists: Mapping) -> Tables:
    """Per word list, per ``explainer -> guesser``: guessed rate and mean guesser score."""
    tables: Tables = {}
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


def heldout_cross_play(tables: Tables, bot: str, held_out: list[str]) -> float:
    """The promotion metric: the mean guessed rate of ``bot`` with each held-out bot, both
    directions, on the union of the host's lists and on the held-out list (equal weights).
    """
    rates = [
        tables[name][pair]["guessed_rate"]
        for name in METRIC_LISTS
        for x in held_out
        for pair in (f"{bot} -> {x}", f"{x} -> {bot}")
    ]
    return sum(rates) / len(rates)


def _cell(table: Mapping[str, Mapping[str, float]], pair: str) -> str:
    v = table[pair]
    return f"{v['guessed_rate']:6.1%} ({v['mean_score']:.2f})"


def format_tables(
    tables: Tables, lineup: Lineup, lists: Mapping[str, list[str]], multi: Mapping
) -> str:
    """The games as printed and saved with the model: per list, self-play, then ours with each
    held-out bot, then with each tuning bot; then the multi-player games.
    """
    lines = []
    for name, table in tables.items():
        lines.append(
            f"== {name} ({len(lists[name])} words): guessed within the clues (mean guesser score)"
        )
        lines.append(f"  {'self-play: ours -> ours':<34}{_cell(table, f'{OURS} -> {OURS}')}")
        for side, title in ((HELD_OUT, "held-out families"), (TUNING, "tuning families")):
            lines.append(f"  {title:<34}{'ours -> X':>15}{'X -> ours':>16}")
            for x in lineup.names(side):
                lines.append(
                    f"    {lineup.families[x]:<9}{x:<21}"
                    f"{_cell(table, f'{OURS} -> {x}'):>15} {_cell(table, f'{x} -> {OURS}'):>15}"
                )
        if lineup.production is not None:
            lines.append(
                f"  {'production, held-out families':<34}{'prod -> X':>15}{'X -> prod':>16}"
            )
            for x in lineup.names(HELD_OUT):
                lines.append(
                    f"    {lineup.families[x]:<9}{x:<21}"
                    f"{_cell(table, f'{PRODUCTION} -> {x}'):>15}"
                    f" {_cell(table, f'{x} -> {PRODUCTION}'):>15}"
                )
    lines.append(
        "== multi-player games, ours and every held-out bot (each explains every word to all the"
        " others): points as explainer + as guesser = total"
    )
    for name, totals in multi.items():
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1]["total"], kv[0]))
        cells = [f"{p} {t['explaining']}+{t['guessing']}={t['total']}" for p, t in ranked]
        lines.append(f"  {name:<16}" + ", ".join(cells))
    return "\n".join(lines)


def tracked_metrics(report: dict[str, Any]) -> dict[str, float]:
    """The report's metrics for MLflow: the promotion metric, every pair of every word list, the
    multi-player totals and how many floors passed.
    """
    out: dict[str, float] = {}
    put_metric(out, "hat.heldout_cross_play_rate", report.get("heldout_cross_play_rate"))
    for word_list, table in report.get("tables", {}).items():
        for pair, values in table.items():
            for name, value in values.items():
                put_metric(out, metric_key("hat", word_list, pair, name), value)
    for word_list, totals in report.get("multi_player", {}).items():
        for player, points in totals.items():
            put_metric(out, metric_key("hat", "multi", word_list, player, "total"), points["total"])
    floors = report.get("floors") or []
    if floors:
        out["hat.floors_passed"] = float(sum(bool(f.get("passed")) for f in floors))
        out["hat.floors_total"] = float(len(floors))
    return out


def probe_predictions(player: Any) -> dict[str, list[list[str]]]:
    """Clues and guesses for a fixed set of words, for the reproducibility check."""
    words = [w for w in PROBE_WORDS if player.knows(w)] or player.words[:8]
    return {w: [player.explain(w, 5), player.guess([w], 5)] for w in words}
