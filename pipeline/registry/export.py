"""Export the production models for an image: only the production versions and a registry naming
them, plus a dotenv file CI passes to later jobs (model versions for the image tag, and whether
they differ from what is deployed, so a schedule does not rebuild an unchanged service).

Usage: python -m pipeline.registry.export DEST [--dotenv build.env]
                                             [--deployed models/.deployed.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from pipeline import catalog
from pipeline.config import Paths
from pipeline.errors import PipelineError
from pipeline.registry import store


def export(models_dir: Path, dest: Path) -> dict[str, str]:
    """Copy each production version into ``dest`` (atomically: a temp dir, then a rename)."""
    versions = {}
    staging = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    reg = {}
    for name in catalog.NAMES:
        folder = store.production_dir(models_dir, name)
        shutil.copytree(folder, staging / name / folder.name)
        versions[name] = folder.name
        reg[name] = {"production": folder.name, "versions": {folder.name: {"promoted": True}}}
    (staging / store.REGISTRY_FILE).write_text(json.dumps(reg, indent=2) + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)
    return versions


def dotenv(versions: dict[str, str], new: bool) -> str:
    """CI's dotenv: ``<NAME>_VERSION`` per model, the image tag naming every model's version
    (``passwords-<version>-hat-<version>``), and whether any differs from what is deployed.
    """
    lines = [f"{name.upper()}_VERSION={version}" for name, version in versions.items()]
    tag = "-".join(f"{name}-{version}" for name, version in versions.items())
    lines += [f"MODEL_TAG={tag.lower().replace('.', '-')}", f"NEW_MODELS={int(new)}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Export, then write the dotenv for CI."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--dotenv", type=Path)
    parser.add_argument("--deployed", type=Path, help="registry.json of the deployed models")
    args = parser.parse_args(argv)
    models_dir = Paths.from_env().models
    try:
        versions = export(models_dir, args.dest)
    except PipelineError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    deployed = {}
    if args.deployed and args.deployed.exists():
        deployed = {
            k: v.get("production") for k, v in json.loads(args.deployed.read_text()).items()
        }
    new = any(deployed.get(k) != v for k, v in versions.items())
    print(f"export: {versions} -> {args.dest} ({'new' if new else 'same as deployed'})")
    if args.dotenv:
        args.dotenv.write_text(dotenv(versions, new))
    return 0


if __name__ == "__main__":
    sys.exit(main())
