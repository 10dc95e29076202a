"""The promotion gate for a whole run: each model trained in it against the production it would
replace, one decision file, and an exit status CI can gate deployment on.

Used by ``run_all.sh`` (no gate: a local run always keeps its models and just writes the file)
and by CI's ``promote`` job (``--gate``: exit 1 when a candidate is worse, so build and deploy
do not run). The rule is :func:`pipeline.registry.rule.decide` on each model's metric
(:mod:`pipeline.catalog`) with its tolerance from ``params.yaml`` - the same function the training
stages use to update the registry.

Production's metric is, in order: the one measured in the same run on the same test set (the
training stage re-scores production; recorded in the candidate's metadata), else the one in the
production version's own metadata. No production, or production metadata that cannot be read
and no same-run measurement, promotes the candidate: a model nobody can verify is no bar.

Usage: python -m pipeline.registry.gate [--gate] [--out reports/promotion.json] [MODEL ...]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.config import Paths, load_params
from pipeline.errors import MissingInputError, PipelineError
from pipeline.files import write_json_atomic
from pipeline.registry import store
from pipeline.registry.rule import Decision, decide


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


def _metric_of(metadata: dict[str, Any], name: str) -> float | None:
    metric = catalog.spec(name).metric
    record = metadata.get("promotion", {})
    value = record.get("candidate") if record.get("metric") == metric else None
    return float(value) if isinstance(value, int | float) else None


def decide_model(models_dir: Path, name: str, candidate: str, tolerance: float) -> Decision:
    """Candidate ``name``/``candidate`` against the production it would replace."""
    model = catalog.spec(name)
    metric, lower_is_better = model.metric, model.lower_is_better
    try:
        meta = store.read_metadata(models_dir / name / candidate)
    except store.RegistryError as exc:
        raise MissingInputError(f"candidate '{name}' {candidate}: {exc}") from exc
    value = _metric_of(meta, name)
    if value is None:
        return Decision(False, f"candidate has no {metric}", metric, math.nan, None)
    same_run = meta.get("promotion", {}).get("production")
    production: float | None = None
    note = ""
    if isinstance(same_run, int | float) and math.isfinite(same_run):
        production = float(same_run)
    else:
        before = previous_production(models_dir, name, candidate)
        if before is not None:
            try:
                production = _metric_of(store.read_metadata(models_dir / name / before), name)
            except store.RegistryError as exc:
                note = f" (production {before} metadata unreadable: {exc})"
    decision = decide(
        metric, value, production, lower_is_better=lower_is_better, tolerance=tolerance
    )
    if note:
        decision = Decision(decision.promote, decision.reason + note, metric, value, production)
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
