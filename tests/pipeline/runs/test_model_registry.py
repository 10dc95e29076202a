"""MLflow's Model Registry mirrors models/registry.json: what the tracking step registers, where
the alias points after each decision, and that a registry failure costs the run nothing.
"""

from __future__ import annotations

import json
import shutil

import pytest
from mlflow import MlflowClient

from pipeline.config import Paths
from pipeline.passwords.model import ARTIFACT
from pipeline.registry import store
from pipeline.runs import model_registry, tracking


def client_of(uri: str) -> MlflowClient:
    return MlflowClient(tracking_uri=uri)


def versions(uri: str) -> dict[str, str]:
    """Our version id -> MLflow's version number, of every registered passwords version."""
    with tracking.quiet_store():
        found = client_of(uri).search_model_versions("name = 'passwords'")
    return {v.tags[model_registry.VERSION_TAG]: str(v.version) for v in found}


def alias_target(uri: str, alias: str = "production") -> str | None:
    with tracking.quiet_store():
        target = client_of(uri).get_registered_model("passwords").aliases.get(alias)
    return None if target is None else str(target)


def add_candidate(paths: Paths, promoted: bool, n: int) -> str:
    """A new passwords version (production's files) recorded with ``promoted``, as the report
    of the latest run.
    """
    production = store.production_version(paths.models, "passwords")
    version = f"{production}.{n}"
    shutil.copytree(paths.models / "passwords" / production, paths.models / "passwords" / version)
    store.record_version(paths.models, "passwords", version, promoted, f"test decision {n}")
    report_file = paths.reports / "passwords" / "metrics.json"
    report = json.loads(report_file.read_text()) | {"version": version, "promoted": promoted}
    report_file.write_text(json.dumps(report))
    return version


def test_a_trained_version_is_registered_with_its_lineage_and_made_production(
    run_dir: Paths, store_uri: str, capsys
) -> None:
    version = store.production_version(run_dir.models, "passwords")
    assert tracking.main(["passwords"]) == 0
    out = capsys.readouterr().out
    assert (
        f"tracking: model registry: passwords: {version} is version 1; "
        f"alias 'production' -> version 1 ({version})" in out
    )
    with tracking.quiet_store():
        client = client_of(store_uri)
        (registered,) = client.search_model_versions("name = 'passwords'")
        files = {a.path for a in client.list_artifacts(registered.run_id, "passwords/model")}
    metadata = store.read_metadata(run_dir.models / "passwords" / version)
    dataset = json.loads((run_dir.processed / "passwords" / "dataset.json").read_text())
    assert registered.source == f"runs:/{registered.run_id}/passwords/model"
    assert f"passwords/model/{ARTIFACT}" in files and "passwords/model/metadata.json" in files
    assert registered.tags == {
        "version_id": version,
        "git.commit": metadata["git_commit"],
        "promoted_when_trained": "true",
        "promotion.reason": "no production model yet",
        "data.passwords.file.sha256": dataset["data"]["sha256"],
        # the leak it was validated on is part of its lineage too
        "data.passwords.external.otherleak.data.sha256": metadata["data"]["external"]["otherleak"][
            "data"
        ]["sha256"],
        "test_rmsle": repr(metadata["promotion"]["candidate"]),
    }
    assert alias_target(store_uri) == "1"
    outcome = json.loads((run_dir.reports / "tracking.json").read_text())["model_registry"]
    assert outcome["updated"] is True and outcome["alias"] == "production"

    # a retry (scripts/step.sh track) logs the run again but registers nothing twice
    assert tracking.main(["passwords"]) == 0
    assert versions(store_uri) == {version: "1"}


def test_the_alias_follows_a_promotion_and_stays_on_a_rejected_candidate(
    run_dir: Paths, store_uri: str
) -> None:
    assert tracking.main(["passwords"]) == 0
    first = store.production_version(run_dir.models, "passwords")

    rejected = add_candidate(run_dir, promoted=False, n=2)
    assert tracking.main(["passwords"]) == 0
    assert versions(store_uri) == {first: "1", rejected: "2"}
    assert alias_target(store_uri) == "1"

    promoted = add_candidate(run_dir, promoted=True, n=3)
    assert tracking.main(["passwords"]) == 0
    assert versions(store_uri)[promoted] == "3"
    assert alias_target(store_uri) == "3"


def test_a_production_mlflow_never_registered_takes_the_alias_away(
    run_dir: Paths, store_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The alias never names a version that is not production; another alias name (a
    developer's own) leaves the team's alone.
    """
    assert tracking.main(["passwords"]) == 0
    monkeypatch.setenv("MLFLOW_MODEL_ALIAS", "production-alice")
    with tracking.quiet_store():
        lines = model_registry.mirror(client_of(store_uri), "", {}, run_dir.models)
    assert lines == [
        "passwords: alias 'production-alice' -> version 1 "
        f"({store.production_version(run_dir.models, 'passwords')})"
    ]
    assert alias_target(store_uri) == "1"

    monkeypatch.delenv("MLFLOW_MODEL_ALIAS")
    unregistered = add_candidate(run_dir, promoted=True, n=2)  # trained with no tracking
    with tracking.quiet_store():
        lines = model_registry.mirror(client_of(store_uri), "", {}, run_dir.models)
    assert lines == [
        f"passwords: no alias 'production': production {unregistered} is not registered here"
    ]
    assert alias_target(store_uri) is None
    assert alias_target(store_uri, "production-alice") == "1"


def test_a_registry_failure_warns_and_the_run_stays_logged(
    run_dir: Paths, store_uri: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def refuse(*args, **kwargs):
        raise PermissionError("registry is read-only for this user")

    monkeypatch.setattr(tracking, "mirror", refuse)
    assert tracking.main(["passwords"]) == 0
    captured = capsys.readouterr()
    assert "tracking: run " in captured.out
    assert (
        "tracking: WARNING: MLflow's model registry was not updated "
        f"({store_uri}): PermissionError: registry is read-only for this user" in captured.err
    )
    assert "retry with: scripts/step.sh track passwords" in captured.err
    outcome = json.loads((run_dir.reports / "tracking.json").read_text())
    assert outcome["logged"] is True and outcome["model_registry"]["updated"] is False
    assert versions(store_uri) == {}


def test_version_tags_hold_any_models_lineage_and_decision() -> None:
    tags = model_registry.version_tags(
        "hat",
        "v1",
        {
            "git_commit": "abc",
            "data": {"corpus": {"sha256": "c0", "path": "/x"}, "lists": {"n": {"sha256": "w"}}},
            "promotion": {"metric": "cross_play_guessed_rate", "candidate": 0.5},
        },
        {"promoted": False, "reason": "worse"},
    )
    assert tags == {
        "version_id": "v1",
        "git.commit": "abc",
        "promoted_when_trained": "false",
        "promotion.reason": "worse",
        "data.hat.corpus.sha256": "c0",
        "data.hat.lists.n.sha256": "w",
        "cross_play_guessed_rate": "0.5",
    }
