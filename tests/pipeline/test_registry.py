from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.promotion import decide

ROOT = Path(__file__).resolve().parents[2]


def make_production(models: Path) -> str:
    def write(d: Path) -> None:
        (d / "model.bin").write_bytes(b"production weights")

    registry.save_version(models, "demo", "v1", write, {"version": "v1"})
    registry.record_version(models, "demo", "v1", True, "first")
    return "v1"


def test_save_and_record_make_a_loadable_production(tmp_path: Path) -> None:
    make_production(tmp_path)
    prod = registry.production_dir(tmp_path, "demo")
    assert (prod / "model.bin").read_bytes() == b"production weights"
    assert registry.read_metadata(prod) == {"version": "v1"}
    reg = json.loads((tmp_path / "registry.json").read_text())
    assert reg["demo"]["production"] == "v1" and reg["demo"]["versions"]["v1"]["promoted"]


def test_a_failing_save_leaves_production_untouched(tmp_path: Path) -> None:
    make_production(tmp_path)
    before = (tmp_path / "registry.json").read_bytes()

    def explode(d: Path) -> None:
        (d / "model.bin").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        registry.save_version(tmp_path, "demo", "v2", explode, {})
    assert (tmp_path / "registry.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == ["v1"]


def test_a_run_killed_mid_save_leaves_production_intact(tmp_path: Path) -> None:
    make_production(tmp_path)
    before = (tmp_path / "registry.json").read_bytes()
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from pipeline import registry
        def slow(d):
            (d / "model.bin").write_bytes(b"partial")
            print("writing", flush=True)
            time.sleep(60)
        registry.save_version(Path({str(tmp_path)!r}), "demo", "v2", slow, {{}})
        registry.record_version(Path({str(tmp_path)!r}), "demo", "v2", True, "should not happen")
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert (tmp_path / "registry.json").read_bytes() == before
    assert registry.production_version(tmp_path, "demo") == "v1"
    assert (registry.production_dir(tmp_path, "demo") / "model.bin").read_bytes() == (
        b"production weights"
    )
    assert not (tmp_path / "demo" / "v2").exists()


def test_missing_and_corrupt_registry_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(registry.RegistryError, match=r"run_all\.sh demo"):
        registry.production_dir(tmp_path, "demo")
    (tmp_path / "registry.json").write_text("{not json")
    with pytest.raises(registry.RegistryError, match="unreadable"):
        registry.production_version(tmp_path, "demo")


def test_versions_are_unique_and_sortable(tmp_path: Path) -> None:
    first = registry.new_version(tmp_path, "demo")
    (tmp_path / "demo" / first).mkdir(parents=True)
    second = registry.new_version(tmp_path, "demo")
    assert second != first and second.startswith(first)


@pytest.mark.parametrize(
    ("candidate", "production", "promote"),
    [(0.40, 0.45, True), (0.45, 0.45, True), (0.46, 0.45, False), (0.5, None, True)],
)
def test_promotion_rule_lower_is_better(candidate, production, promote) -> None:
    decision = decide("rmsle", candidate, production, lower_is_better=True)
    assert decision.promote is promote
    assert (" is worse than" in decision.reason) is (not promote)


def test_promotion_refuses_a_non_finite_candidate() -> None:
    assert not decide("rmsle", float("nan"), 0.4, lower_is_better=True).promote
    assert decide("rmsle", 0.4, float("nan"), lower_is_better=True).promote
