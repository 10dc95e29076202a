"""A real Prometheus on loopback scraping the service run by gunicorn (the image's command)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import BinaryIO

import pytest
import requests
import yaml

from tests.live import free_port, start_image_command
from tests.monitoring.tools import ALERTS, require, rules

pytestmark = pytest.mark.slow

DEADLINE_S = 20.0


def _start_prometheus(app_port: int, folder: Path, log: BinaryIO) -> tuple[subprocess.Popen, str]:
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(ALERTS)],
        "scrape_configs": [
            {
                "job_name": "hat-service",
                "static_configs": [{"targets": [f"127.0.0.1:{app_port}"]}],
            }
        ],
    }
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    proc = subprocess.Popen(
        [
            require("prometheus"),
            f"--config.file={folder / 'prometheus.yml'}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


def _query(url: str, expr: str) -> list[dict]:
    try:
        r = requests.get(url + "/api/v1/query", params={"query": expr}, timeout=2)
    except requests.ConnectionError:
        return []  # not listening yet
    if r.status_code == 503:
        return []  # listening, but the storage is not ready yet: "Service Unavailable"
    body = r.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def _traffic(url: str, word: str) -> None:
    for i in range(5):
        r = requests.post(url + "/predict", json={"password": f"pw{i}-live"}, timeout=5)
        assert r.status_code == 200
    assert requests.get(url + "/explain", {"word": word, "n_words": 3}, timeout=5).ok
    assert requests.get(url + "/guess", {"words": [word], "n_words": 3}, timeout=5).ok


def test_prometheus_scrapes_the_service(models_dir, player, tmp_path) -> None:
    require("prometheus")
    registry = json.loads((models_dir / "registry.json").read_text())
    server = start_image_command(models_dir, tmp_path / "server.log")
    log = tmp_path / "prometheus.log"
    log_file = log.open("wb")
    prometheus = None
    try:
        server.wait_healthy()
        prometheus, url = _start_prometheus(server.port, tmp_path, log_file)
        started = time.perf_counter()
        _traffic(server.url, player.words[0])
        checks = {
            "up": 'up{job="hat-service"} == 1',
            "predict requests": 'flask_http_request_duration_seconds_count{url_rule="/predict",'
            ' status="200"} >= 5',
            "request total": 'sum(flask_http_request_total{method="POST"}) >= 5',
            "model_info": 'model_info{job="hat-service"}',
            "hat calls": 'hat_calls_total{job="hat-service"}',
            "predictions": "password_predicted_frequency_per_million_count >= 5",
            "fresh models": "(time() - model_created_timestamp_seconds) / 86400 < 1",
            "age limit (recording rule)": "hat_service:model_max_age_days == 30",
        }
        found: dict[str, list[dict]] = {}
        while time.perf_counter() - started < DEADLINE_S:
            assert prometheus.poll() is None, log.read_text()[-2000:]
            for name, expr in checks.items():
                if name not in found and (result := _query(url, expr)):
                    found[name] = result
            if len(found) == len(checks):
                break
            time.sleep(0.5)
        missing = set(checks) - set(found)
        assert not missing, f"not found in {DEADLINE_S} s: {missing}"

        versions = {r["metric"]["model"]: r["metric"]["version"] for r in found["model_info"]}
        assert versions == {name: entry["production"] for name, entry in registry.items()}
        assert {r["metric"]["kind"] for r in found["hat calls"]} == {"explain", "guess"}
        assert {r["metric"]["model"] for r in found["fresh models"]} == {"passwords", "hat"}

        groups = requests.get(url + "/api/v1/rules", timeout=2).json()["data"]["groups"]
        loaded = [rule for group in groups for rule in group["rules"]]
        assert len(loaded) == len(rules()), loaded
        assert all(rule["health"] != "err" for rule in loaded), loaded
        assert not _query(url, 'ALERTS{alertstate="firing"}')
    finally:
        if prometheus is not None:
            prometheus.terminate()
            prometheus.wait(timeout=20)
        log_file.close()
        server.stop()
