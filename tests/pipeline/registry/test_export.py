from __future__ import annotations

import json
from pathlib import Path

from pipeline.registry import export, store


def _models(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    for name in ("passwords", "hat"):
        for version, promoted in (("v1", True), ("v2", False)):
            (models / name / version).mkdir(parents=True)
            (models / name / version / "metadata.json").write_text("{}")
            store.record_version(models, name, version, promoted, "test")
    return models


def _deployed(path: Path, passwords: str, hat: str) -> None:
    path.write_text(
        json.dumps({"passwords": {"production": passwords}, "hat": {"production": hat}})
    )


def test_export_keeps_only_production_and_flags_new_models(tmp_path, monkeypatch) -> None:
    models = _models(tmp_path)
    monkeypatch.setenv("MODELS_DIR", str(models))
    deployed = tmp_path / "deployed.json"
    deployed.write_text(
        json.dumps({"passwords": {"production": "v1"}, "hat": {"production": "v0"}})
    )
    dest, env = tmp_path / "image-models", tmp_path / "build.env"
    code = export.main([str(dest), "--dotenv", str(env), "--deployed", str(deployed)])
    assert code == 0
    assert sorted(p.name for p in (dest / "hat").iterdir()) == ["v1"]
    assert store.production_version(dest, "passwords") == "v1"
    assert "NEW_MODELS=1" in env.read_text() and "MODEL_TAG=passwords-v1-hat-v1" in env.read_text()
    deployed.write_text(
        json.dumps({"passwords": {"production": "v1"}, "hat": {"production": "v1"}})
    )
    export.main([str(dest), "--dotenv", str(env), "--deployed", str(deployed)])
    assert "NEW_MODELS=0" in env.read_text()
