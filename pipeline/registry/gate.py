"""The promotion gate for a whole run: each model trained in it against the production it would
replace, one decision file, and an exit status CI can gate deployment on.

Used by ``run_all.sh`` (no gate: a local run always keeps its models and just writes the file)
and by CI's ``promote`` job (``--gate``: exit 1 when a candidate is worse, so build and deploy
do not run). The rule is :func:`pipeline.registry.rule.decide_all` on each model's metrics
(:mod:`pipeline.catalog`) with its tolerance from ``params.yaml`` - the same function the training
stages use to update the registry.

Production's numbers are the ones its training stage measured in the same run on the same data
(recorded in the candidate's metadata; a metric it could not measure there is not compared). For a
candidate whose metadata predates that record (one metric, maybe without production's number),
production's number is taken from the production version's own metadata. No production, or no
number that can be compared, promotes the candidate: a model nobody can verify is no bar.

Usage: python -m pipeline.registry.gate [--gate] [--out reports/promotion.json] [MODEL ...]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.config import Paths, load_params
from pipeline.errors import MissingInputError, PipelineError
from pipeline.files import write_json_atomic
from pipeline.registry import store
from pipeline.registry.rule import Criterion, Decision, decide_all
from pipeline.runs.names import number


def candidate_version(reports_dir: Path, name: str) -> str:
    """The version the last run of stage ``name`` trained (from its metrics report)."""
    path = reports_dir / name / "metrics.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise MissingInputError(
            f"no candidate for '{name}': {path} is missing or unreadable ({exc}); "
            f"run ./run_all.sh {name} first"
        ) from exc


def previous_production(models_dir: Path, name: str, candidate: str) -> str | None:
    """The production version before ``candidate`` was recorded: the last promoted one."""
    versions = store.read_registry(models_dir).get(name, {}).get("versions", {})
    before = None
    for version, entry in versions.items():  # insertion order = recording order
        if version == candidate:
            break
        if entry.get("promoted"):
            before = version
    return before


def _recorded(metadata: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per metric, the candidate's and production's numbers a stage recorded."""
    record = metadata.get("promotion", {})
    if isinstance(record.get("comparisons"), list):
        return {c["metric"]: c for c in record["comparisons"] if isinstance(c, dict)}
    if record.get("metric"):  # written before models were judged on several metrics
        return {record["metric"]: {**record, "legacy": True}}
    return {}


def decide_model(models_dir: Path, name: str, candidate: str, tolerance: float) -> Decision:
    """Candidate ``name``/``candidate`` against the production it would replace."""
    try:
        meta = store.read_metadata(models_dir / name / candidate)
    except store.RegistryError as exc:
        raise MissingInputError(f"candidate '{name}' {candidate}: {exc}") from exc
    recorded = _recorded(meta)
    before = previous_production(models_dir, name, candidate)
    theirs: dict[str, dict[str, Any]] = {}
    note = ""
    if before is not None and any(r.get("legacy") for r in recorded.values()):
        try:
            theirs = _recorded(store.read_metadata(models_dir / name / before))
        except store.RegistryError as exc:
            note = f" (production {before} metadata unreadable: {exc})"
    measured = []
    for metric, lower_is_better in catalog.spec(name).criteria:
        mine = recorded.get(metric, {})
        value = number(mine.get("candidate"))
        if value is None:
            return Decision(False, f"candidate has no {metric}", metric, math.nan, None)
        production = number(mine.get("production"))
        if production is None and mine.get("legacy"):
            production = number(theirs.get(metric, {}).get("candidate"))
        measured.append((Criterion(metric, lower_is_better), value, production))
    decision = decide_all(measured, has_production=before is not None, tolerance=tolerance)
    if note:
        decision = replace(decision, reason=decision.reason + note)
    return decision


def decide_run(
    models_dir: Path, reports_dir: Path, names: list[str], params: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """One decision per model trained in the run."""
    out = {}
    for name in names:
        version = candidate_version(reports_dir, name)
        tolerance = float(params[name]["promotion"]["tolerance"])
        decision = decide_model(models_dir, name, version, tolerance)
        out[name] = {"version": version, "tolerance": tolerance, **decision.as_dict()}
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the decision file; with ``--gate`` exit 1 when any candidate is worse."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "models",
        nargs="*",
        default=[],
        help=f"default: those of {catalog.NAMES} that have a report from this run",
    )
    parser.add_argument("--gate", action="store_true", help="exit 1 when a candidate is worse")
    parser.add_argument("--out", type=Path, help="default: reports/promotion.json")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.models) - set(catalog.NAMES))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {catalog.NAMES}")
    paths = Paths.from_env()
    names = args.models or [
        m for m in catalog.NAMES if (paths.reports / m / "metrics.json").exists()
    ]
    out = args.out or paths.reports / "promotion.json"
    try:
        decisions = decide_run(paths.models, paths.reports, names, load_params())
    except PipelineError as exc:
        print(f"promote: {exc}", file=sys.stderr)
        return 2
    record = {
        "gate": args.gate,
        "models": decisions,
        "all_promoted": all(d["promote"] for d in decisions.values()),
    }
    write_json_atomic(out, record)
    for name, d in decisions.items():
        verdict = "PROMOTE" if d["promote"] else "REJECT"
        print(f"promote: {name} {d['version']}: {verdict}: {d['reason']}")
    if not names:
        print("promote: no model was trained in this run; nothing to decide")
    print(f"promote: decisions written to {out}")
    if args.gate and not record["all_promoted"]:
        print(
            "promote: gate closed: a candidate is worse than production; not deploying",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
