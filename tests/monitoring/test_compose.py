"""docker-compose.yml read as YAML (no Docker engine here): services, ports, mounts, health checks
and the wiring of the team's storage (MinIO) and tracking (MLflow) to each other, to DVC's remote
and to the MLflow server the tests start.
"""

from __future__ import annotations

import configparser
import json
import re

from tests.monitoring.tools import ROOT, load_yaml
from tests.servers import mlflow_server_args

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


BUCKET = "hat-and-passwords"


def test_the_services() -> None:
    monitoring = {"app", "prometheus", "alertmanager", "grafana"}
    assert set(SERVICES) == monitoring | {"minio", "minio-bucket", "mlflow"}


def test_published_ports() -> None:
    expected = {
        "app": ["5000:5000"],
        "prometheus": ["127.0.0.1:9090:9090"],
        "alertmanager": ["127.0.0.1:9093:9093"],
        "grafana": ["127.0.0.1:3000:3000"],
        "minio": ["127.0.0.1:9000:9000", "127.0.0.1:9001:9001"],  # S3 API, console
        "mlflow": ["127.0.0.1:5001:5000"],  # the app has 5000
    }
    for service, ports in expected.items():
        assert SERVICES[service]["ports"] == ports, service
    assert "ports" not in SERVICES["minio-bucket"]


def test_the_storage_and_tracking_servers_have_health_checks() -> None:
    assert SERVICES["minio"]["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    probe = SERVICES["mlflow"]["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "python", "-c"] and "127.0.0.1:5000/health" in probe[3]
    assert "HEALTHCHECK" in (ROOT / "Dockerfile").read_text()  # the app's, in its image
    # the bucket is made once MinIO is healthy, and MLflow starts once it exists
    assert SERVICES["minio-bucket"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    assert SERVICES["mlflow"]["depends_on"] == {
        "minio-bucket": {"condition": "service_completed_successfully"}
    }


def test_the_bucket_is_the_one_dvc_and_mlflow_use() -> None:
    bucket = SERVICES["minio-bucket"]
    assert bucket["command"] == ["mb", "--ignore-existing", f"local/{BUCKET}"]
    assert bucket["environment"]["MC_HOST_local"].endswith("@minio:9000")
    config = configparser.ConfigParser()
    config.read(ROOT / ".dvc" / "config")
    remote = config["'remote \"minio\"'"]
    assert remote["url"].startswith(f"s3://{BUCKET}/")
    assert remote["endpointurl"] == "http://localhost:9000"  # minio's published S3 port
    command = SERVICES["mlflow"]["command"]
    assert command[command.index("--artifacts-destination") + 1] == f"s3://{BUCKET}/mlflow"


def test_mlflow_runs_the_server_the_tests_start_wired_to_minio() -> None:
    mlflow = SERVICES["mlflow"]
    command, tested = mlflow["command"], mlflow_server_args(ROOT / "mlflow.db", 5000)
    flags = [a for a in command if a.startswith("--")]
    # beside the tested flags, the Host names it answers to inside compose's network
    assert flags == [a for a in tested if a.startswith("--")] + ["--allowed-hosts"]
    for flag in ("--artifacts-destination", "--workers", "--port"):
        assert command[command.index(flag) + 1] == tested[tested.index(flag) + 1], flag
    assert command[command.index("--backend-store-uri") + 1] == "sqlite:////mlflow/mlflow.db"
    assert "mlflow-data:/mlflow" in mlflow["volumes"]
    assert "mlflow:*" in command[command.index("--allowed-hosts") + 1].split(",")
    env = mlflow["environment"]
    assert env["MLFLOW_S3_ENDPOINT_URL"] == "http://minio:9000"
    minio = SERVICES["minio"]["environment"]
    assert env["AWS_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
    assert env["AWS_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]
    assert mlflow["build"] == "./mlflow-server"


def test_the_mlflow_image_has_the_locked_mlflow_and_s3_client() -> None:
    dockerfile = (ROOT / "mlflow-server" / "Dockerfile").read_text()
    lock = json.loads((ROOT / "Pipfile.lock").read_text())["develop"]
    pins = dict(re.findall(r"\b(mlflow|boto3)==(\S+)", dockerfile))
    assert pins == {p: lock[p]["version"].removeprefix("==") for p in ("mlflow", "boto3")}
    assert re.search(r'^ENTRYPOINT \["mlflow", "server"\]$', dockerfile, re.M)


def test_credentials_come_from_the_environment_with_local_only_defaults() -> None:
    minio = SERVICES["minio"]["environment"]
    assert minio["MINIO_ROOT_USER"].startswith("${MINIO_ROOT_USER:-")
    assert minio["MINIO_ROOT_PASSWORD"].startswith("${MINIO_ROOT_PASSWORD:-")
    assert "MINIO" not in json.dumps(SERVICES["app"])  # the service needs no storage access


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
