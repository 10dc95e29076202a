"""Monitoring configs and the tools checking them (Debian: prometheus, prometheus-alertmanager)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from pipeline.config import ROOT
from tests.tools import require_program

MONITORING = ROOT / "monitoring"
PROMETHEUS_DIR = MONITORING / "prometheus"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
DASHBOARDS = MONITORING / "grafana" / "dashboards"

PACKAGES = {
    "prometheus": "prometheus",
    "promtool": "prometheus",
    "amtool": "prometheus-alertmanager",
}

# PromQL words that are not metric names
KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring"}
    | {"group_left", "group_right", "inf", "nan"}
)
# Grafana's interval variables, replaced by a plain duration so promtool can parse the query
GRAFANA_VARIABLES = ("$__rate_interval", "$__interval", "$__range")


def require(binary: str) -> str:
    """The binary's path; a failure under CI, a skip elsewhere, naming the Debian package."""
    return require_program(binary, f"apt-get install -y {PACKAGES[binary]}")


def run(*command: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def rules(path: Path = ALERTS) -> list[dict]:
    return [rule for group in load_yaml(path)["groups"] for rule in group["rules"]]


def alert_names(path: Path = ALERTS) -> list[str]:
    return [rule["alert"] for rule in rules(path) if "alert" in rule]


def recorded_names(path: Path = ALERTS) -> set[str]:
    return {rule["record"] for rule in rules(path) if "record" in rule}


def fill_grafana_variables(expr: str) -> str:
    for variable in GRAFANA_VARIABLES:
        expr = expr.replace(variable, "5m")
    return expr


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, keywords or label names)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range durations
    text = re.sub(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text
    )  # label lists
    names = re.findall(r"(?<![\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()", text)
    return {n for n in names if n.lower() not in KEYWORDS}
