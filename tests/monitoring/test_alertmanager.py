from __future__ import annotations

from tests.monitoring.tools import MONITORING, load_yaml, require, run

CONFIG = MONITORING / "alertmanager" / "alertmanager.yml"


def test_amtool_check_config() -> None:
    result = run(require("amtool"), "check-config", CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_route_ends_at_a_declared_receiver() -> None:
    config = load_yaml(CONFIG)
    receivers = {r["name"] for r in config["receivers"]}
    routes = [config["route"], *config["route"].get("routes", [])]
    assert {r["receiver"] for r in routes} <= receivers
