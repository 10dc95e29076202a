"""The Kubernetes manifests (k8s/): every overlay renders, validates against the API's schemas
offline (kubernetes-validate), and runs the image as it is built and measured.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from pipeline.config import ROOT
from tests.k8s.kustomize import load_all, merge, render
from tests.live import dockerfile_command, dockerfile_env

K8S = ROOT / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
# the oldest Kubernetes with every API used here (autoscaling/v2, policy/v1) still supported
# upstream, and the newest the validator knows
VERSIONS = ("1.29", kubernetes_validate.latest_version())


def by_kind(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds = [d["kind"] for d in docs]
    assert len(kinds) == len(set(kinds)), kinds  # one of each here
    return {d["kind"]: d for d in docs}


def _normalised(value: Any) -> Any:
    """Lists of named objects sorted by name: their order means nothing to the API."""
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_normalised(v) for v in value]
        if items and all(isinstance(v, dict) and "name" in v for v in items):
            return sorted(items, key=lambda v: v["name"])
        return items
    return value


def test_there_are_two_overlays() -> None:
    assert OVERLAYS == ["production", "staging"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_renderer_renders_what_kubectl_renders(overlay: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:  # CI's Debian has none that reads kustomize v5 files: see kustomize.py
        pytest.skip("kubectl is not installed: the overlays are checked by tests.k8s.kustomize")
    out = subprocess.run(
        [kubectl, "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    theirs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(out) if d}
    ours = {(d["kind"], d["metadata"]["name"]): d for d in render(K8S / "overlays" / overlay)}
    assert _normalised(ours) == _normalised(theirs)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_validates_strictly(overlay: str, version: str) -> None:
    docs = render(K8S / "overlays" / overlay)
    assert set(by_kind(docs)) == {
        "Namespace",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)  # raises on any fault
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == f"hat-{overlay}"


def test_every_base_file_validates_strictly() -> None:
    files = sorted(p for p in (K8S / "base").glob("*.yaml") if p.name != "kustomization.yaml")
    assert len(files) == 4
    for path in files:
        for doc in load_all(path):
            kubernetes_validate.validate(doc, VERSIONS[-1], strict=True)


def test_the_validator_rejects_a_faulty_manifest() -> None:
    """The clean results above come from a validator that does find faults."""
    deployment = by_kind(render(K8S / "overlays" / "staging"))["Deployment"]
    typo = merge(deployment, {"spec": {"template": {"spec": {"containerz": []}}}})
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(typo, VERSIONS[-1], strict=True)
    wrong_type = merge(deployment, {"spec": {"revisionHistoryLimit": "five"}})
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, VERSIONS[-1], strict=True)


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_deployment_runs_the_image_as_built(overlay: str) -> None:
    """The image's own command (gunicorn.conf.py's serving model), as its user, on its port."""
    docs = by_kind(render(K8S / "overlays" / overlay))
    deployment, service = docs["Deployment"], docs["Service"]
    pod = deployment["spec"]["template"]
    container = _container(deployment)
    assert "command" not in container and "args" not in container  # the CMD: tests/live.py
    assert dockerfile_command()[:3] == ["gunicorn", "--config", "gunicorn.conf.py"]
    assert container["image"].startswith("registry.") and ":" in container["image"]

    uid = re.search(r"^USER (\d+)", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] is True and str(security["runAsUser"]) == uid
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/tmp", "/dev/shm"} <= mounts  # the temp dir; heartbeats and metrics files

    port = int(dockerfile_env()["PORT"])
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["PORT"]) == port
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == port
    assert annotations["prometheus.io/path"] == "/metrics"

    labels = pod["metadata"]["labels"]
    for selector in (
        deployment["spec"]["selector"]["matchLabels"],
        docs["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
        service["spec"]["selector"],
    ):
        assert selector.items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_scaling_and_disruption_budgets_fit_together(overlay: str) -> None:
    docs = by_kind(render(K8S / "overlays" / overlay))
    hpa, pdb, deployment = (
        docs["HorizontalPodAutoscaler"],
        docs["PodDisruptionBudget"],
        docs["Deployment"],
    )
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": deployment["apiVersion"],
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert "replicas" not in deployment["spec"]  # the autoscaler owns the count
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    # a drain can always evict one pod, and a rollout adds one before removing one
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_resources_fit_the_measured_server() -> None:
    """The pod runs WEB_CONCURRENCY single-threaded workers (gunicorn.conf.py pins OpenMP and
    BLAS to one thread): that many cores is all it can use. Memory: the 2-worker target of the
    load benchmark (<= 300 MB PSS after the load) fits the request, the limit leaves headroom.
    """
    container = _container(by_kind(render(K8S / "overlays" / "production"))["Deployment"])
    env = {e["name"]: e["value"] for e in container["env"]}
    resources = container["resources"]
    assert int(resources["limits"]["cpu"]) == int(env["WEB_CONCURRENCY"])
    mebibytes = {
        k: int(v.removesuffix("Mi"))
        for k, v in (
            ("request", resources["requests"]["memory"]),
            ("limit", resources["limits"]["memory"]),
        )
    }
    assert 300 <= mebibytes["request"] * 1.048576 <= mebibytes["limit"] * 1.048576
    assert mebibytes["limit"] <= 512


def test_merge_follows_strategic_merge_for_named_lists() -> None:
    base = {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}], "n": 1, "x": [1, 2]}
    patch = {"env": [{"name": "B", "value": "3"}], "x": [3]}
    assert merge(base, patch) == {
        "env": [{"name": "B", "value": "3"}, {"name": "A", "value": "1"}],
        "n": 1,
        "x": [3],
    }


def test_render_refuses_what_it_does_not_support(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {a: b}\n")
    with pytest.raises(ValueError, match="commonLabels"):
        render(tmp_path)
    (tmp_path / "kustomization.yaml").write_text("resources: []\npatches: [{path: p.yaml}]\n")
    (tmp_path / "p.yaml").write_text("kind: Service\nmetadata: {name: nothing}\n")
    with pytest.raises(ValueError, match="0 resources"):
        render(tmp_path)


DEPLOY = ROOT / "scripts" / "ci" / "k8s_deploy.sh"


def _deploy(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "KUBE_CONFIG"} | env
    return subprocess.run(
        ["sh", str(DEPLOY), *args], capture_output=True, text=True, timeout=120, env=environ
    )


def test_the_ci_deploy_refuses_an_unknown_overlay() -> None:
    done = _deploy("qa", "registry.example.com/g/hat-service:abc1234")
    assert done.returncode == 2
    assert "no overlay 'qa'" in done.stderr and "staging" in done.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ci_deploy_applies_the_overlay_with_the_pipelines_image(overlay: str) -> None:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed (the CI job installs it)")
    image = "registry.example.com/group/hat-service:abc1234"
    done = _deploy(overlay, image, "--dry-run")
    assert done.returncode == 0, done.stderr
    applied = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(done.stdout)}
    expected = render(K8S / "overlays" / overlay)
    _container(by_kind(expected)["Deployment"])["image"] = image
    assert _normalised(applied) == _normalised(
        {(d["kind"], d["metadata"]["name"]): d for d in expected}
    )
    assert not list(K8S.glob(".deploy-*"))  # its scratch kustomization is gone
    done = _deploy(overlay, image)  # for real: a cluster is needed
    assert done.returncode != 0 and "set KUBE_CONFIG" in done.stderr
