"""The CI/CD graph: an edit that breaks the chain to production fails here, not in production."""

from __future__ import annotations

import re

import pytest
import yaml

from pipeline.config import ROOT

CI = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
JOBS = {k: v for k, v in CI.items() if isinstance(v, dict) and "stage" in v}
DEPLOY_JOBS = ("build", "test-image", "deploy-staging", "deploy-production")


def needs(job: str) -> set[str]:
    """Direct needs, optional ones marked with a leading '?'."""
    out = set()
    for n in JOBS[job].get("needs", []):
        if isinstance(n, str):
            out.add(n)
        else:
            out.add(("?" if n.get("optional") else "") + n["job"])
    return out


def upstream(job: str) -> set[str]:
    """Every job ``job`` waits for, transitively (optional needs included)."""
    seen: set[str] = set()
    todo = [n.lstrip("?") for n in needs(job)]
    while todo:
        j = todo.pop()
        if j not in seen:
            seen.add(j)
            todo += [n.lstrip("?") for n in needs(j)]
    return seen


def glob_matches(pattern: str, path: str) -> bool:
    regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
    return re.fullmatch(regex.replace(r"\*", "[^/]*"), path) is not None


def changes_of(job: str) -> list[str]:
    return [p for rule in JOBS[job].get("rules", []) for p in rule.get("changes", [])]


def test_stages_in_order() -> None:
    assert CI["stages"] == [
        "test",
        "train",
        "promote",
        "build",
        "test-image",
        "deploy-staging",
        "deploy-production",
    ]
    for name, stage in [("test", "test"), ("train", "train"), ("promote", "promote")]:
        assert JOBS[name]["stage"] == stage


@pytest.mark.parametrize("job", ["deploy-staging", "deploy-production"])
def test_every_deploy_waits_for_the_image_test_and_the_gate(job) -> None:
    assert {"test-image", "build", "promote", "test"} <= upstream(job)


def test_production_only_after_staging_and_from_its_image() -> None:
    assert "deploy-staging" in needs("deploy-production")
    script = " ".join(JOBS["deploy-production"]["script"])
    assert "staging-passed-$CI_COMMIT_SHORT_SHA" in script
    assert "staging-passed-$CI_COMMIT_SHORT_SHA" in " ".join(JOBS["deploy-staging"]["script"])


def test_production_is_manual_on_the_branch_and_automatic_on_a_version_tag() -> None:
    rules = JOBS["deploy-production"]["rules"]
    assert any("CI_COMMIT_TAG" in r.get("if", "") and "when" not in r for r in rules)
    assert any(r.get("when") == "manual" for r in rules)


def test_the_gate_is_hard_and_build_depends_on_it() -> None:
    assert "promote" in needs("build")  # not optional: a closed gate stops the chain
    assert any("pipeline.registry.gate --gate" in line for line in JOBS["promote"]["script"])


def test_train_is_scheduled_with_fresh_data() -> None:
    schedule = [r for r in JOBS["train"]["rules"] if "schedule" in r.get("if", "")]
    assert schedule and schedule[0].get("variables", {}).get("DATA_REFRESH") == "1"
    assert any("schedule" in r.get("if", "") for r in JOBS["reproducibility"]["rules"])


@pytest.mark.parametrize("path", ["README.md", "docs/setup.md", "monitoring/alerts.yml"])
def test_docs_only_changes_do_not_retrain_or_rebuild(path) -> None:
    for job in ("train", "build"):
        assert not any(glob_matches(p, path) for p in changes_of(job)), (job, path)


@pytest.mark.parametrize(
    ("path", "job"),
    [
        ("pipeline/hat/player.py", "train"),
        ("params.yaml", "train"),
        ("Pipfile.lock", "train"),
        ("app/web.py", "build"),
    ],
)
def test_code_changes_trigger_their_jobs(path, job) -> None:
    assert any(glob_matches(p, path) for p in changes_of(job))


def test_no_secret_values_in_the_file() -> None:
    text = (ROOT / ".gitlab-ci.yml").read_text()
    assert "HEROKU_API_KEY:" not in text and "KUBE_CONFIG:" not in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)
    assert "HEROKU_API_KEY" in (ROOT / "scripts" / "ci" / "heroku_release.sh").read_text()


def test_caches_for_the_environment_and_the_data() -> None:
    train_caches = JOBS["train"]["cache"]
    paths = {p for c in train_caches for p in c["paths"]}
    assert {".venv/", "data/raw/"} <= paths


K8S_JOBS = {"k8s-staging": "staging", "k8s-production": "production"}


def test_kubernetes_deploys_are_manual_and_only_with_a_kubeconfig() -> None:
    assert JOBS["k8s-staging"]["stage"] == "deploy-staging"
    assert JOBS["k8s-production"]["stage"] == "deploy-production"
    for job in K8S_JOBS:
        rules = JOBS[job]["rules"]
        assert "KUBE_CONFIG == null" in rules[0]["if"] and rules[0]["when"] == "never"
        assert all(r.get("when") in ("manual", "never") for r in rules)
        assert any(r.get("when") == "manual" for r in rules)


def test_kubernetes_deploys_the_tested_image_staging_first() -> None:
    for job in K8S_JOBS:
        assert {"test-image", "build", "promote", "test"} <= upstream(job)
    assert "k8s-staging" in needs("k8s-production")
    # a manual job's needs make it wait for the needed job to have run
    for job, overlay in K8S_JOBS.items():
        (line,) = JOBS[job]["script"]
        assert line == f'sh scripts/ci/k8s_deploy.sh {overlay} "$IMAGE:$CI_COMMIT_SHORT_SHA"'
        assert (ROOT / "k8s" / "overlays" / overlay / "kustomization.yaml").is_file()
    assert "$IMAGE:$CI_COMMIT_SHORT_SHA" in " ".join(JOBS["build"]["script"])


def test_kubernetes_deploys_run_only_where_an_image_was_built() -> None:
    """A job may not need one the pipeline did not create: each k8s rule that runs is one of
    build's (the same condition, made manual)."""
    runs = {r["if"]: r.get("changes") for r in JOBS["build"]["rules"] if r.get("when") != "never"}
    for job in K8S_JOBS:
        for rule in JOBS[job]["rules"]:
            if rule.get("when") == "manual":
                assert rule["if"] in runs and rule.get("changes") == runs[rule["if"]], rule
