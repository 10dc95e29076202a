"""The Grafana dashboard: every query parses (promtool) and selects only metrics that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.monitoring.tools import (
    DASHBOARDS,
    MONITORING,
    fill_grafana_variables,
    load_yaml,
    metric_names,
    recorded_names,
    require,
    run,
)

DASHBOARD_FILES = sorted(DASHBOARDS.glob("*.json"))
# the panels the dashboard must have, by title
REQUIRED_PANELS = {
    "Request rate by endpoint",
    "Error rate",
    "Latency p50 by endpoint",
    "Latency p99 by endpoint",
    "Predicted frequency distribution",
    "Hat unknown-word rate",
    "Model versions",
    "Model age (days)",
}


def _panels(dashboard: dict) -> list[dict]:
    found = []
    for panel in dashboard.get("panels", []):
        found.append(panel)
        found.extend(panel.get("panels", []))  # panels folded into a row
    return found


def _queries() -> list[tuple[str, str]]:
    """(where, expr) of every target of every panel of every dashboard."""
    queries = []
    for path in DASHBOARD_FILES:
        for panel in _panels(json.loads(path.read_text())):
            for target in panel.get("targets", []):
                where = f"{path.name} panel {panel['id']} {panel['title']!r} {target['refId']}"
                queries.append((where, target["expr"]))
    return queries


def test_there_is_one_dashboard_with_the_required_panels() -> None:
    (path,) = DASHBOARD_FILES
    dashboard = json.loads(path.read_text())
    panels = _panels(dashboard)
    assert {p["title"] for p in panels} >= REQUIRED_PANELS
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    assert all(p.get("targets") for p in panels if p["type"] != "row")


def test_panels_use_the_provisioned_data_source() -> None:
    (source,) = load_yaml(
        MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
    )["datasources"]
    for path in DASHBOARD_FILES:
        for panel in _panels(json.loads(path.read_text())):
            for item in (panel, *panel.get("targets", [])):
                assert item["datasource"] == {"type": "prometheus", "uid": source["uid"]}


def test_metric_name_extraction() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (url_rule, le) (rate(a_bucket{job="x", le="1.0"}[5m])))'
        " / on () group_left () b:rule offset 15m > bool 1e3 unless c"
    )
    assert metric_names(expr) == {"a_bucket", "b:rule", "c"}
    assert metric_names("(time() - up) / 86400") == {"up"}


def test_every_query_parses(tmp_path: Path) -> None:
    """promtool parses each query as the expression of a throwaway recording rule."""
    rules = [
        {"record": f"dashboard:query_{i}", "expr": fill_grafana_variables(expr)}
        for i, (_, expr) in enumerate(_queries())
    ]
    rule_file = tmp_path / "dashboard-queries.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = run(require("promtool"), "check", "rules", rule_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(rules)} rules found" in result.stdout


@pytest.mark.parametrize(("where", "expr"), _queries())
def test_query_names_only_exported_metrics(
    where: str, expr: str, exported_metrics: set[str], exported_le_values: dict[str, set[str]]
) -> None:
    names = metric_names(fill_grafana_variables(expr))
    assert names, f"{where}: no metric"
    unknown = names - exported_metrics - recorded_names() - {"up"}
    assert not unknown, f"{where}: not exported by the app: {unknown}"
    for metric, le in re.findall(r'(\w+_bucket)\{[^}]*le="([^"]+)"', expr):
        assert le in exported_le_values[metric], f"{where}: {metric} has no bucket le={le!r}"
