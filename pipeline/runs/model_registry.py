"""Mirror ``models/registry.json`` in MLflow's Model Registry, for a team that browses models there.

``models/registry.json`` stays the source of truth: the training stages record every version and
their promotion decision in it, and the service and the CI gate read it. After each logged run
the tracking step copies it out to MLflow:

- each model version trained in the run becomes a version of the registered model of the same
  name (``passwords``, ``hat``: the names of :mod:`pipeline.catalog`), made from the version's
  files the run logged under ``<model>/model/``, tagged with our version id (``version_id``), the
  commit that trained it, the sha256 of its data and its promotion decision;
- the alias ``production`` (``MLFLOW_MODEL_ALIAS``) then points at the MLflow version whose
  ``version_id`` is registry.json's production, whatever the decision was: a promotion moves it,
  a rejected candidate leaves it where it was. When production is a version MLflow never
  registered (trained before runs were logged to this store), the alias is removed rather than
  left on a version that is no longer production.

A retry registers nothing twice (versions are found by ``version_id``). Serving never reads
MLflow, so a registry that is down or out of date costs the team a view, never a prediction.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipeline import catalog
from pipeline.registry import store
from pipeline.runs.record import data_params

ALIAS_ENV = "MLFLOW_MODEL_ALIAS"
DEFAULT_ALIAS = "production"
VERSION_TAG = "version_id"  # our version id; MLflow numbers its versions 1, 2, ...
MODEL_FOLDER = "model"  # a run's artifacts keep a version's files in <model>/model/


def model_alias() -> str:
    """``MLFLOW_MODEL_ALIAS``, else ``production``. A developer who logs to the team's server
    from a checkout of their own sets another, so their promotions do not move the team's.
    """
    return os.environ.get(ALIAS_ENV, "").strip() or DEFAULT_ALIAS


def version_tags(
    name: str, version: str, metadata: dict[str, Any], entry: dict[str, Any]
) -> dict[str, str]:
    """The tags of a registered version: where it comes from and what was decided about it."""
    tags = {
        VERSION_TAG: version,
        "git.commit": str(metadata.get("git_commit", "unknown")),
        "promoted_when_trained": str(bool(entry.get("promoted"))).lower(),
        "promotion.reason": str(entry.get("reason", "")),
    }
    data = data_params(name, metadata.get("data") or {})
    tags |= {key: value for key, value in data.items() if key.endswith(".sha256")}
    promotion = metadata.get("promotion") or {}
    if isinstance(promotion.get("candidate"), int | float):
        tags[str(promotion.get("metric"))] = repr(float(promotion["candidate"]))
    return tags


def find_version(client: Any, name: str, version: str) -> Any | None:
    """The MLflow version of model ``name`` registered from our ``version``, or None."""
    found = client.search_model_versions(f"name = '{name}' and tags.{VERSION_TAG} = '{version}'")
    return min(found, key=lambda v: int(v.version)) if found else None


def register(client: Any, name: str, version: str, run_id: str, models_dir: Path) -> str:
    """Register ``version`` of ``name`` from the files run ``run_id`` logged (once); returns
    MLflow's version number.
    """
    from mlflow.exceptions import MlflowException

    existing = find_version(client, name, version)
    if existing is not None:
        return str(existing.version)
    entry = (store.read_registry(models_dir).get(name) or {}).get("versions", {}).get(version)
    if entry is None:
        raise store.RegistryError(
            f"{models_dir / store.REGISTRY_FILE} has no '{name}' version {version}, "
            "which the run's report names"
        )
    metadata = store.read_metadata(models_dir / name / version)
    try:
        client.create_registered_model(
            name, description=f"Mirror of models/registry.json's '{name}' (pipeline/catalog.py)."
        )
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    created = client.create_model_version(
        name,
        source=f"runs:/{run_id}/{name}/{MODEL_FOLDER}",
        run_id=run_id,
        tags=version_tags(name, version, metadata, entry),
        description=f"{version}: {entry.get('reason', '')}",
    )
    return str(created.version)


def follow_production(client: Any, name: str, production: str | None, alias: str) -> str | None:
    """Point ``alias`` at the MLflow version of our ``production``; returns its number, or None
    when production is not registered (the alias is then removed).
    """
    from mlflow.exceptions import MlflowException

    target = find_version(client, name, production) if production else None
    try:
        current = client.get_registered_model(name).aliases.get(alias)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
            raise
        return None  # nothing of this model was ever registered here: no alias to move
    if target is None:
        if current is not None:
            client.delete_registered_model_alias(name, alias)
        return None
    if str(current) != str(target.version):
        client.set_registered_model_alias(name, alias, target.version)
    return str(target.version)


def mirror(client: Any, run_id: str, trained: dict[str, str], models_dir: Path) -> list[str]:
    """Register the versions ``trained`` in run ``run_id`` (model -> version) and move the alias
    of every model in the registry to its production; returns one line per model, for the log.
    """
    alias = model_alias()
    registry = store.read_registry(models_dir)
    lines = []
    for name in catalog.NAMES:
        entry = registry.get(name)
        if not isinstance(entry, dict):
            continue  # never trained here
        said = []
        if name in trained:
            number = register(client, name, trained[name], run_id, models_dir)
            said.append(f"{trained[name]} is version {number}")
        production = entry.get("production")
        target = follow_production(client, name, production, alias)
        if target is not None:
            said.append(f"alias '{alias}' -> version {target} ({production})")
        elif production is None:
            said.append(f"no alias '{alias}': no production yet")
        else:
            said.append(f"no alias '{alias}': production {production} is not registered here")
        lines.append(f"{name}: " + "; ".join(said))
    return lines
