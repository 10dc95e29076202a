from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.registry import gate, store

TOLERANCE = 0.0


def _version(models: Path, name: str, version: str, promotion: dict, promoted: bool) -> None:
    folder = models / name / version
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"version": version, "promotion": promotion}))
    store.record_version(models, name, version, promoted, "test")


def _runs(tmp_path: Path, production: float | None, candidate: float, same_run: bool = True):
    """A models dir with (optionally) a production password model and a new candidate."""
    models, reports = tmp_path / "models", tmp_path / "reports"
    if production is not None:
        _version(
            models,
            "passwords",
            "v1",
            {"metric": "test_rmsle", "candidate": production, "production": None},
            True,
        )
    record = {
        "metric": "test_rmsle",
        "candidate": candidate,
        "production": production if same_run else None,
    }
    _version(models, "passwords", "v2", record, False)
    (reports / "passwords").mkdir(parents=True)
    (reports / "passwords" / "metrics.json").write_text(json.dumps({"version": "v2"}))
    return models, reports


def _gate(monkeypatch, tmp_path, models, reports) -> tuple[int, dict]:
    monkeypatch.setenv("MODELS_DIR", str(models))
    monkeypatch.setenv("REPORTS_DIR", str(reports))
    out = tmp_path / "decision.json"
    code = gate.main(["passwords", "--gate", "--out", str(out)])
    return code, json.loads(out.read_text())["models"]["passwords"]


@pytest.mark.parametrize(
    ("production", "candidate", "promoted", "code"),
    [(0.50, 0.45, True, 0), (0.45, 0.45, True, 0), (0.45, 0.50, False, 1)],
    ids=["better", "equal", "worse"],
)
def test_gate_by_metric(monkeypatch, tmp_path, production, candidate, promoted, code) -> None:
    models, reports = _runs(tmp_path, production, candidate)
    got_code, decision = _gate(monkeypatch, tmp_path, models, reports)
    assert (got_code, decision["promote"], decision["version"]) == (code, promoted, "v2")
    assert decision["production"] == production and decision["candidate"] == candidate


def test_no_production_promotes(monkeypatch, tmp_path) -> None:
    models, reports = _runs(tmp_path, None, 0.6)
    code, decision = _gate(monkeypatch, tmp_path, models, reports)
    assert code == 0 and decision["promote"] and "no production" in decision["reason"]


def test_production_metric_from_its_metadata_when_not_rescored(monkeypatch, tmp_path) -> None:
    models, reports = _runs(tmp_path, 0.40, 0.45, same_run=False)
    code, decision = _gate(monkeypatch, tmp_path, models, reports)
    assert code == 1 and decision["production"] == 0.40


def test_corrupt_production_metadata_promotes_and_says_so(monkeypatch, tmp_path) -> None:
    models, reports = _runs(tmp_path, 0.40, 0.45, same_run=False)
    (models / "passwords" / "v1" / "metadata.json").write_text("{not json")
    code, decision = _gate(monkeypatch, tmp_path, models, reports)
    assert code == 0 and decision["promote"]
    assert "metadata unreadable" in decision["reason"]


def test_without_gate_a_worse_model_still_exits_zero(monkeypatch, tmp_path) -> None:
    models, reports = _runs(tmp_path, 0.40, 0.50)
    monkeypatch.setenv("MODELS_DIR", str(models))
    monkeypatch.setenv("REPORTS_DIR", str(reports))
    assert gate.main(["passwords", "--out", str(tmp_path / "d.json")]) == 0


def test_missing_candidate_is_a_clear_error(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("REPORTS_DIR", str(tmp_path / "reports"))
    assert gate.main(["hat", "--gate"]) == 2
    assert "run ./run_all.sh hat first" in capsys.readouterr().err
