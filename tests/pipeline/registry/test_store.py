from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.config import ROOT
from pipeline.registry import store


def make_production(models: Path) -> str:
    def write(d: Path) -> None:
        (d / "model.bin").write_bytes(b"production weights")

    store.save_version(models, "demo", "v1", write, {"version": "v1"})
    store.record_version(models, "demo", "v1", True, "first")
    return "v1"


def test_save_and_record_make_a_loadable_production(tmp_path: Path) -> None:
    make_production(tmp_path)
    prod = store.production_dir(tmp_path, "demo")
    assert (prod / "model.bin").read_bytes() == b"production weights"
    assert store.read_metadata(prod) == {"version": "v1"}
    reg = json.loads((tmp_path / "registry.json").read_text())
    assert reg["demo"]["production"] == "v1" and reg["demo"]["versions"]["v1"]["promoted"]


def test_a_failing_save_leaves_production_untouched(tmp_path: Path) -> None:
    make_production(tmp_path)
    before = (tmp_path / "registry.json").read_bytes()

    def explode(d: Path) -> None:
        (d / "model.bin").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.save_version(tmp_path, "demo", "v2", explode, {})
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
        from pipeline.registry import store
        def slow(d):
            (d / "model.bin").write_bytes(b"partial")
            print("writing", flush=True)
            time.sleep(60)
        store.save_version(Path({str(tmp_path)!r}), "demo", "v2", slow, {{}})
        store.record_version(Path({str(tmp_path)!r}), "demo", "v2", True, "should not happen")
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert (tmp_path / "registry.json").read_bytes() == before
    assert store.production_version(tmp_path, "demo") == "v1"
    assert (store.production_dir(tmp_path, "demo") / "model.bin").read_bytes() == (
        b"production weights"
    )
    assert not (tmp_path / "demo" / "v2").exists()


def test_missing_and_corrupt_registry_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(store.RegistryError, match=r"run_all\.sh demo"):
        store.production_dir(tmp_path, "demo")
    (tmp_path / "registry.json").write_text("{not json")
    with pytest.raises(store.RegistryError, match="unreadable"):
        store.production_version(tmp_path, "demo")


def test_versions_are_unique_and_sortable(tmp_path: Path) -> None:
    first = store.new_version(tmp_path, "demo")
    (tmp_path / "demo" / first).mkdir(parents=True)
    second = store.new_version(tmp_path, "demo")
    assert second != first and second.startswith(first)
