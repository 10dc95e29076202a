"""Render a kustomization as ``kubectl kustomize`` does, for the fields ``k8s/`` uses.

No kustomize binary can be downloaded here and CI's Debian has no kubectl that reads today's
kustomization files, so the tests render the overlays with this and validate the result;
where ``kubectl`` is installed a test checks this renders exactly what it renders.

Supported: ``resources`` (files and folders), ``patches`` (strategic-merge files, each naming its
target by kind and name), ``namespace`` and ``images``. Anything else is refused, so an overlay
cannot use a field this would silently ignore.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

FIELDS = frozenset({"apiVersion", "kind", "resources", "patches", "namespace", "images"})
CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass"})
# strategic merge: lists of objects merged item by item on these keys (Kubernetes' own keys)
MERGE_KEYS = {
    "containers": ("name",),
    "initContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "ports": ("containerPort", "port"),
}


def load_all(path: Path) -> list[dict[str, Any]]:
    """The YAML documents of a file, empty ones left out."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def merge(base: Any, patch: Any, field: str | None = None) -> Any:
    """``patch`` merged into ``base`` (copies): maps key by key, lists of :data:`MERGE_KEYS`
    item by item on their key (new items first, as kustomize puts them), anything else replaced.
    """
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            out[key] = merge(base[key], value, key) if key in base else copy.deepcopy(value)
        return out
    keys = MERGE_KEYS.get(field or "", ())
    if isinstance(base, list) and isinstance(patch, list) and keys:
        key = next((k for k in keys if all(k in item for item in base + patch)), None)
        if key is not None:
            by_key = {item[key]: item for item in base}
            merged = [merge(by_key[p[key]], p) if p[key] in by_key else p for p in patch]
            patched = {p[key] for p in patch}
            return copy.deepcopy(merged) + [copy.deepcopy(b) for b in base if b[key] not in patched]
    return copy.deepcopy(patch)


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("containers", []) + spec.get("initContainers", [])


def _image_name(image: str) -> str:
    tail = image.rsplit("/", 1)[-1]
    return image[: len(image) - len(tail)] + tail.split("@")[0].split(":")[0]


def render(folder: Path) -> list[dict[str, Any]]:
    """The resources of the kustomization in ``folder``, with its patches and transformers."""
    spec = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = sorted(set(spec) - FIELDS)
    if unknown:
        raise ValueError(f"{folder}: fields this renderer does not support: {unknown}")
    docs: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        path = folder / entry
        docs += render(path) if path.is_dir() else load_all(path)
    for entry in spec.get("patches", []):
        if set(entry) != {"path"}:
            raise ValueError(f"{folder}: only file patches (path:) are supported, not {entry}")
        for patch in load_all(folder / entry["path"]):
            name = (patch["kind"], patch["metadata"]["name"])
            matches = [i for i, d in enumerate(docs) if (d["kind"], d["metadata"]["name"]) == name]
            if len(matches) != 1:
                raise ValueError(f"{folder / entry['path']}: {len(matches)} resources are {name}")
            docs[matches[0]] = merge(docs[matches[0]], patch)
    if namespace := spec.get("namespace"):
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = namespace
    for image in spec.get("images", []):
        for doc in docs:
            for container in _containers(doc):
                old = container["image"]
                if _image_name(old) == image["name"]:
                    tag = image.get("newTag") or old[len(_image_name(old)) :].lstrip(":")
                    name = image.get("newName", image["name"])
                    container["image"] = f"{name}:{tag}" if tag else name
    return docs
