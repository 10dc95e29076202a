"""Prometheus config and alert rules: promtool checks, rule unit tests and their coverage."""

from __future__ import annotations

import pytest

from tests.monitoring.tools import (
    ALERTS,
    PROMETHEUS_DIR,
    alert_names,
    load_yaml,
    metric_names,
    recorded_names,
    require,
    rules,
    run,
)

RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))


def test_promtool_check_config() -> None:
    result = run(require("promtool"), "check", "config", PROMETHEUS_DIR / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_check_rules() -> None:
    result = run(require("promtool"), "check", "rules", ALERTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests_pass() -> None:
    assert RULE_TESTS, "no rule unit tests in monitoring/prometheus/tests/"
    result = run(require("promtool"), "test", "rules", *RULE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_config_loads_the_alert_rules_and_scrapes_the_app() -> None:
    config = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    assert [PROMETHEUS_DIR / f for f in config["rule_files"]] == [ALERTS]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["hat-service"]["static_configs"][0]["targets"] == ["app:5000"]
    (alertmanagers,) = config["alerting"]["alertmanagers"]
    assert alertmanagers["static_configs"][0]["targets"] == ["alertmanager:9093"]


def _alert_cases() -> tuple[set[str], set[str]]:
    """Alert names with a firing case, and with a case where they are checked not firing."""
    firing: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for case in load_yaml(path)["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    return firing, quiet


def test_every_alert_has_a_firing_and_a_clearing_case() -> None:
    names = alert_names()
    assert len(names) == len(set(names)), "duplicate alert names"
    firing, quiet = _alert_cases()
    assert set(names) - firing == set(), "alerts never tested firing"
    assert set(names) - quiet == set(), "alerts never tested not firing"
    assert firing | quiet <= set(names), "tests name alerts that do not exist"


def test_the_required_alerts_exist() -> None:
    """The alerts: down, 5xx above 1%, Hat p99 above 500 ms, predict p99 above 100 ms, no
    successful request for 15 minutes, model too old."""
    by_name = {r["alert"]: r for r in rules() if "alert" in r}
    assert set(by_name) == {
        "HatServiceDown",
        "HatServiceHighErrorRate",
        "HatServiceNoSuccessfulRequests",
        "HatGameSlow",
        "HatPredictSlow",
        "HatModelTooOld",
    }
    assert "> 0.01" in by_name["HatServiceHighErrorRate"]["expr"]
    assert "> 0.5" in by_name["HatGameSlow"]["expr"]
    assert "> 0.1" in by_name["HatPredictSlow"]["expr"]
    assert "[15m]" in by_name["HatServiceNoSuccessfulRequests"]["expr"]
    for name in ("HatServiceHighErrorRate", "HatGameSlow", "HatPredictSlow"):
        assert by_name[name]["for"] == "5m", name


@pytest.mark.parametrize("name", alert_names())
def test_alert_has_severity_and_runbook(name: str) -> None:
    (rule,) = [r for r in rules() if r.get("alert") == name]
    assert rule["labels"]["severity"] in {"critical", "warning"}
    annotations = rule["annotations"]
    assert set(annotations) == {"summary", "description", "runbook"}
    assert len(annotations["runbook"]) > 100, "a runbook says what it means and what to do"


def test_rules_use_only_exported_metrics(exported_metrics: set[str]) -> None:
    known = exported_metrics | recorded_names() | {"up"}
    for rule in rules():
        unknown = metric_names(rule["expr"]) - known
        assert not unknown, f"{rule.get('alert') or rule.get('record')}: {unknown}"
