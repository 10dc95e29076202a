from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import catalog
from pipeline.registry import gate, store

TOLERANCE = 0.0


def _version(models: Path, name: str, version: str, promotion: dict, promoted: bool) -> None:
    folder = models / name / version
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"version": version, "promotion": promotion}))
    store.record_version(models, name, version, promoted, "test")


# A model judged on one metric, as metadata recorded it before models had several (the Hat's
# metric: higher is better).
LEGACY = "hat"
METRIC = catalog.spec(LEGACY).criteria[0][0]


def _runs(tmp_path: Path, production: float | None, candidate: float, same_run: bool = True):
    """A models dir with (optionally) a production model and a new candidate, in the one-metric
    metadata format."""
    models, reports = tmp_path / "models", tmp_path / "reports"
    if production is not None:
        _version(
            models,
            LEGACY,
            "v1",
            {"metric": METRIC, "candidate": production, "production": None},
            True,
        )
    record = {
        "metric": METRIC,
        "candidate": candidate,
        "production": production if same_run else None,
    }
    _version(models, LEGACY, "v2", record, False)
    (reports / LEGACY).mkdir(parents=True)
    (reports / LEGACY / "metrics.json").write_text(json.dumps({"version": "v2"}))
    return models, reports


def _gate(monkeypatch, tmp_path, models, reports, name: str = LEGACY) -> tuple[int, dict]:
    monkeypatch.setenv("MODELS_DIR", str(models))
    monkeypatch.setenv("REPORTS_DIR", str(reports))
    out = tmp_path / "decision.json"
    code = gate.main([name, "--gate", "--out", str(out)])
    return code, json.loads(out.read_text())["models"][name]


@pytest.mark.parametrize(
    ("production", "candidate", "promoted", "code"),
    [(0.45, 0.50, True, 0), (0.45, 0.45, True, 0), (0.50, 0.45, False, 1)],
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
    models, reports = _runs(tmp_path, 0.45, 0.40, same_run=False)
    code, decision = _gate(monkeypatch, tmp_path, models, reports)
    assert code == 1 and decision["production"] == 0.45


def test_corrupt_production_metadata_promotes_and_says_so(monkeypatch, tmp_path) -> None:
    models, reports = _runs(tmp_path, 0.45, 0.40, same_run=False)
    (models / LEGACY / "v1" / "metadata.json").write_text("{not json")
    code, decision = _gate(monkeypatch, tmp_path, models, reports)
    assert code == 0 and decision["promote"]
    assert "metadata unreadable" in decision["reason"]


def test_without_gate_a_worse_model_still_exits_zero(monkeypatch, tmp_path) -> None:
    models, reports = _runs(tmp_path, 0.50, 0.40)
    monkeypatch.setenv("MODELS_DIR", str(models))
    monkeypatch.setenv("REPORTS_DIR", str(reports))
    assert gate.main([LEGACY, "--out", str(tmp_path / "d.json")]) == 0


def _passwords_run(tmp_path: Path, external_spearman: float) -> tuple[Path, Path]:
    """A production password model and a candidate whose stage measured both on the test split
    and an external leak in the same run (better on the test split in both cases)."""
    models, reports = tmp_path / "models", tmp_path / "reports"
    _version(models, "passwords", "v1", {"comparisons": []}, True)
    numbers = {
        "test_rmsle": (0.42, 0.43),
        "external_spearman": (external_spearman, 0.44),
        "external_auc": (0.73, 0.72),
    }
    comparisons = [
        {"metric": m, "candidate": mine, "production": theirs}
        for m, (mine, theirs) in numbers.items()
    ]
    _version(models, "passwords", "v2", {"comparisons": comparisons}, False)
    (reports / "passwords").mkdir(parents=True)
    (reports / "passwords" / "metrics.json").write_text(json.dumps({"version": "v2"}))
    return models, reports


def test_better_on_the_test_split_and_worse_on_a_leak_is_rejected(monkeypatch, tmp_path) -> None:
    models, reports = _passwords_run(tmp_path, external_spearman=0.43)
    code, decision = _gate(monkeypatch, tmp_path, models, reports, "passwords")
    assert code == 1 and not decision["promote"]
    assert decision["metric"] == "external_spearman"
    assert "external_spearman 0.4300 is worse than production's 0.4400" in decision["reason"]


def test_not_worse_anywhere_passes_the_gate(monkeypatch, tmp_path) -> None:
    models, reports = _passwords_run(tmp_path, external_spearman=0.45)
    code, decision = _gate(monkeypatch, tmp_path, models, reports, "passwords")
    assert code == 0 and decision["promote"]
    assert {c["metric"] for c in decision["comparisons"]} == {
        "test_rmsle",
        "external_spearman",
        "external_auc",
    }


def test_missing_candidate_is_a_clear_error(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("REPORTS_DIR", str(tmp_path / "reports"))
    assert gate.main(["hat", "--gate"]) == 2
    assert "run ./run_all.sh hat first" in capsys.readouterr().err
