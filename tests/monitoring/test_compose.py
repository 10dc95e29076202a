"""docker-compose.yml read as YAML (no Docker engine here): services, ports and mounts."""

from __future__ import annotations

from tests.monitoring.tools import ROOT, load_yaml

COMPOSE = load_yaml(ROOT / "docker-compose.yml")
SERVICES = COMPOSE["services"]


def _bind_mounts(service: str) -> dict[str, str]:
    """host path -> container path of the service's bind mounts (``./...`` sources)."""
    mounts = {}
    for volume in SERVICES[service].get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("."):
            mounts[source] = target
    return mounts


def test_the_four_services() -> None:
    assert set(SERVICES) == {"app", "prometheus", "alertmanager", "grafana"}


def test_published_ports() -> None:
    expected = {"app": 5000, "prometheus": 9090, "alertmanager": 9093, "grafana": 3000}
    for service, port in expected.items():
        (published,) = SERVICES[service]["ports"]
        assert published.endswith(f":{port}:{port}") or published == f"{port}:{port}", service


def test_app_is_built_from_the_dockerfile_and_listens_where_prometheus_scrapes() -> None:
    app = SERVICES["app"]
    assert app["build"] == "." and (ROOT / "Dockerfile").is_file()
    assert app["environment"]["PORT"] == "5000"
    assert _bind_mounts("app") == {"./models": app["environment"]["MODELS_DIR"]}
    prometheus = load_yaml(ROOT / "monitoring" / "prometheus" / "prometheus.yml")
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    assert jobs["hat-service"]["static_configs"][0]["targets"] == ["app:5000"]


def test_bind_mounts_point_at_files_in_the_repository() -> None:
    for service in SERVICES:
        for source in _bind_mounts(service):
            assert (ROOT / source).exists(), f"{service}: {source} does not exist"


def test_monitoring_services_read_the_mounted_configs() -> None:
    prometheus = SERVICES["prometheus"]
    assert _bind_mounts("prometheus") == {"./monitoring/prometheus": "/etc/prometheus"}
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert (ROOT / "monitoring/prometheus/prometheus.yml").is_file()

    alertmanager = SERVICES["alertmanager"]
    assert _bind_mounts("alertmanager") == {"./monitoring/alertmanager": "/etc/alertmanager"}
    assert "--config.file=/etc/alertmanager/alertmanager.yml" in alertmanager["command"]

    grafana = _bind_mounts("grafana")
    assert grafana["./monitoring/grafana/provisioning"] == "/etc/grafana/provisioning"
    dashboards_in_container = grafana["./monitoring/grafana/dashboards"]
    (provider,) = load_yaml(ROOT / "monitoring/grafana/provisioning/dashboards/hat-service.yml")[
        "providers"
    ]
    assert provider["options"]["path"] == dashboards_in_container
    home = SERVICES["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home.startswith(dashboards_in_container + "/")
    assert (ROOT / "monitoring/grafana/dashboards" / home.rsplit("/", 1)[1]).is_file()


def test_named_volumes_are_declared() -> None:
    declared = set(COMPOSE.get("volumes", {}))
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, source
