"""The models this project trains and serves, listed once.

Everything that handles "each model" (the registry's promotion gate, the image export, run
tracking, the reproducibility check, the service, ``run_all.sh`` through this module's command
line) reads this list, so a third model is one entry here plus its package.

Standard library only, and nothing is imported until asked: ``run_all.sh`` reads the list with the
system Python before the project's virtualenv exists, and the service must not import training code.

Usage: python3 -m pipeline.catalog            the model names, one per line
       python3 -m pipeline.catalog steps NAME the run_all.sh steps of one model, one per line
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ModelSpec:
    """One model: how it is trained, judged, stored and loaded.

    ``criteria`` are the metrics it is promoted on, each ``(name, lower_is_better)``: the stage
    records both models' values (``metadata["promotion"]``) and the candidate must not be worse on
    any (:mod:`pipeline.registry.rule`). ``artifact`` is the folder inside a version directory that
    ``loader`` reads ("" = the version directory itself). ``loader``, ``tracked_metrics`` and
    ``probe`` are ``module:attribute`` paths, imported on first use.
    """

    name: str
    criteria: tuple[tuple[str, bool], ...]
    artifact: str
    loader: str
    tracked_metrics: str
    probe: str
    steps: tuple[str, ...]

    def artifact_dir(self, version_dir: Path) -> Path:
        """Where the loadable artifact lives in a version directory."""
        return version_dir / self.artifact if self.artifact else version_dir

    def load(self, version_dir: Path) -> Any:
        """The served object of one version (imports the model's serving code only)."""
        return resolve(self.loader)(self.artifact_dir(version_dir))

    def metrics_of(self, report: dict[str, Any]) -> dict[str, float]:
        """The model's report as flat MLflow metrics."""
        return resolve(self.tracked_metrics)(report)

    def probe_predictions(self, model: Any) -> Any:
        """A fixed set of predictions, JSON-ready, for the reproducibility check."""
        return resolve(self.probe)(model)


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="passwords",
        criteria=(("test_rmsle", True), ("external_spearman", False), ("external_auc", False)),
        artifact="",
        loader="pipeline.passwords.model:PasswordModel.load",
        tracked_metrics="pipeline.passwords.evaluate:tracked_metrics",
        probe="pipeline.passwords.evaluate:probe_predictions",
        steps=("passwords_prepare", "passwords_train"),
    ),
    ModelSpec(
        name="hat",
        criteria=(("heldout_cross_play_rate", False),),
        artifact="player",
        loader="pipeline.hat.player:HatPlayer.load",
        tracked_metrics="pipeline.hat.evaluate:tracked_metrics",
        probe="pipeline.hat.evaluate:probe_predictions",
        steps=("hat_train",),
    ),
)

NAMES: tuple[str, ...] = tuple(m.name for m in MODELS)


def spec(name: str) -> ModelSpec:
    """The entry of model ``name``; a KeyError naming the known models otherwise."""
    for model in MODELS:
        if model.name == name:
            return model
    raise KeyError(f"unknown model {name!r}; the models are {', '.join(NAMES)}")


def resolve(path: str) -> Callable[..., Any]:
    """``"package.module:Class.attr"`` -> that attribute, importing the module now."""
    module, _, attrs = path.partition(":")
    value: Any = importlib.import_module(module)
    for attr in attrs.split("."):
        value = getattr(value, attr)
    return value


def main(argv: list[str] | None = None) -> int:
    """Print the names, or one model's steps; 2 on a wrong call."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["-h"], ["--help"]):
        print(__doc__.split("Usage: ")[1].strip())
        return 0
    if not args:
        print("\n".join(NAMES))
        return 0
    if len(args) == 2 and args[0] == "steps":
        try:
            print("\n".join(spec(args[1]).steps))
        except KeyError as exc:
            print(f"catalog: {exc.args[0]}", file=sys.stderr)
            return 2
        return 0
    print("usage: python3 -m pipeline.catalog [steps NAME] (see --help)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
