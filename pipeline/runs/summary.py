"""The metrics summary printed at the end of ``run_all.sh``, from each stage's report.

Usage: python -m pipeline.runs.summary [STAGE ...]   (default: every model)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline import catalog
from pipeline.config import Paths


def summarize(stages: list[str], reports_dir: Path) -> str:
    """One block per stage: the model version, its promotion and its headline metrics."""
    lines = ["", "=== metrics summary ==="]
    for stage in stages:
        path = reports_dir / stage / "metrics.json"
        if not path.exists():
            lines.append(f"{stage}: no metrics (missing {path})")
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        verdict = "promoted" if report.get("promoted") else "not promoted"
        lines.append(f"{stage}: version {report.get('version')} ({verdict})")
        for name, metrics in report.get("test", {}).items():
            shown = "  ".join(
                f"{k} {'n/a' if v is None else format(v, '.4f')}" for k, v in metrics.items()
            )
            lines.append(f"  {name:<26}{shown}")
        if "heldout_cross_play_rate" in report:
            lines.append(
                "  cross-play rate with the held-out families (promotion metric): "
                f"{report['heldout_cross_play_rate']:.3f}"
            )
            floors = report.get("floors", [])
            passed = sum(bool(f.get("passed")) for f in floors)
            lines.append(f"  floors met: {passed} of {len(floors)}")
            for floor in floors:
                if not floor.get("passed"):
                    lines.append(f"  [FAIL] {floor['list']:<14} {floor['pair']}")
        for leak, parts in (report.get("external") or {}).items():
            for part in ("tuning", "held_out"):
                got = parts.get(part) or {}
                if "model" in got:
                    lines.append(
                        f"  leak {leak}, {part.replace('_', '-')} part: Spearman model "
                        f"{got['model']['spearman']:.4f} / lookup {got['lookup']['spearman']:.4f}, "
                        f"AUC model {got['model']['auc']:.4f} / lookup {got['lookup']['auc']:.4f}"
                    )
        censoring = report.get("censoring")
        if censoring and censoring.get("share_below_rarest_listed") is not None:
            lines.append(
                f"  absent strings below the rarest listed frequency: "
                f"{censoring['share_below_rarest_listed']:.1%}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the summary of the stages named (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stages", nargs="*", help=f"default: all of {catalog.NAMES}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.stages) - set(catalog.NAMES))
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {catalog.NAMES}")
    print(summarize(list(args.stages) or list(catalog.NAMES), Paths.from_env().reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
