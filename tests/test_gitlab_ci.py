"""The CI/CD graph: an edit that breaks the chain to production, or the branch model
(CONTRIBUTING.md: feature branches -> develop -> main), fails here, not in production.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.config import ROOT
from tests.gitlab_rules import Pipeline, glob_matches, jobs
from tests.tools import require_program

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


# The branch model, pipeline by pipeline: which jobs run, and "manual" where a person decides.
CHAIN = {"test", "promote", "build", "test-image", "deploy-staging"}
KUBE = (("KUBE_CONFIG", "apiVersion: v1"),)  # a project that deploys to Kubernetes too
SCENARIOS = {
    "feature branch push": (
        Pipeline("push", branch="feature/x", changed=("pipeline/hat/player.py",)),
        {"test"},
    ),
    "feature branch push with an open merge request": (
        Pipeline("push", branch="feature/x", open_mr=True, changed=("app/api.py",)),
        None,  # the merge request pipeline runs instead
    ),
    "merge request from a feature branch": (
        Pipeline("merge_request_event", mr_source="feature/x", changed=("params.yaml",)),
        {"test"},
    ),
    "merge request from an experiment branch": (
        Pipeline("merge_request_event", mr_source="experiment/y", changed=("Pipfile.lock",)),
        {"test"},
    ),
    "develop push": (
        Pipeline("push", branch="develop", changed=("pipeline/passwords/model.py",)),
        {"test", "train-sample"},
    ),
    "develop push with an open merge request to main": (
        Pipeline("push", branch="develop", open_mr=True, changed=("README.md",)),
        {"test", "train-sample"},
    ),
    "merge request from develop": (
        Pipeline("merge_request_event", mr_source="develop", changed=("pipeline/hat/player.py",)),
        None,  # the develop branch pipeline is its check
    ),
    "main push changing the models": (
        Pipeline("push", branch="main", changed=("pipeline/hat/player.py",)),
        CHAIN | {"train", "deploy-production:manual"},
    ),
    "main push changing the service": (
        Pipeline("push", branch="main", changed=("app/web.py",)),
        CHAIN | {"deploy-production:manual"},
    ),
    "main push changing the pipeline driver": (
        Pipeline("push", branch="main", changed=("run_all.sh",)),
        {"test", "train", "promote"},
    ),
    "main push changing the docs": (
        Pipeline("push", branch="main", changed=("README.md", "CONTRIBUTING.md")),
        {"test"},
    ),
    "daily schedule of main": (
        Pipeline("schedule", branch="main", changed=None),
        CHAIN | {"train", "reproducibility", "deploy-production:manual"},
    ),
    "schedule of develop": (
        Pipeline("schedule", branch="develop", changed=None),
        {"test", "train-sample"},
    ),
    "version tag": (
        Pipeline("push", tag="v1.4.0", changed=None),
        CHAIN | {"deploy-production"},
    ),
    "other tag": (Pipeline("push", tag="before-refactor", changed=None), {"test"}),
    "main push changing the service, in a project with a kubeconfig": (
        Pipeline("push", branch="main", changed=("app/web.py",), project=KUBE),
        CHAIN | {"deploy-production:manual", "k8s-staging:manual", "k8s-production:manual"},
    ),
    "version tag, in a project with a kubeconfig": (
        Pipeline("push", tag="v1.4.0", changed=None, project=KUBE),
        CHAIN | {"deploy-production", "k8s-staging:manual", "k8s-production:manual"},
    ),
    "develop push, in a project with a kubeconfig": (
        Pipeline("push", branch="develop", changed=("app/web.py",), project=KUBE),
        {"test", "train-sample"},
    ),
}


def summary(ran: dict[str, dict] | None) -> set[str] | None:
    if ran is None:
        return None
    return {n + (":manual" if j["when"] == "manual" else "") for n, j in ran.items()}


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_pipeline_runs_the_jobs_of_the_branch_model(name: str) -> None:
    pipeline, expected = SCENARIOS[name]
    assert summary(jobs(CI, pipeline)) == expected


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_job_a_pipeline_runs_has_the_jobs_it_needs(name: str) -> None:
    """GitLab refuses to create a pipeline where a job needs a job that is not in it."""
    ran = jobs(CI, SCENARIOS[name][0]) or {}
    for job in ran:
        missing = {n for n in needs(job) if not n.startswith("?")} - set(ran)
        assert not missing, f"{name}: {job} needs {missing}, which does not run"


def test_only_the_schedule_of_main_refreshes_the_data() -> None:
    ran = jobs(CI, SCENARIOS["daily schedule of main"][0])
    assert ran is not None and ran["train"]["variables"] == {"DATA_REFRESH": "1"}
    pushed = jobs(CI, SCENARIOS["main push changing the models"][0])
    assert pushed is not None and pushed["train"]["variables"] == {}


def test_develop_trains_on_the_samples_in_a_scratch_copy() -> None:
    job = JOBS["train-sample"]
    assert "python -m tests.run_all --dir sample-run" in job["script"]
    assert all(p.startswith("sample-run/") for p in job["artifacts"]["paths"])
    assert CI["variables"]["DEVELOP_BRANCH"] == "develop"


def _gitlab_ci_local(repo: Path, pipeline: Pipeline) -> set[str]:
    """The jobs gitlab-ci-local (job rules only: it ignores workflow:rules) says would run."""
    env = pipeline.variables({})
    args = [f"--variable={k}={v}" for k, v in env.items()]
    for name in ("CI_COMMIT_BRANCH", "CI_COMMIT_TAG", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"):
        if name not in env:
            args.append(f"--unset-variable={name}")
    for path in pipeline.changed or ():  # modified against origin/main, as gitlab-ci-local diffs
        (repo / path).write_text("changed\n")
    program = require_program("gitlab-ci-local", "npm install -g gitlab-ci-local@4.56.0")
    try:
        done = subprocess.run(
            [program, "--list-json", "--json-schema-validation=false", *args],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    assert done.returncode == 0, done.stderr[-2000:]
    listed = json.loads(done.stdout)
    return {j["name"] + (":manual" if j["when"] == "manual" else "") for j in listed} - {
        j["name"] for j in listed if j["when"] == "never"
    }


def test_gitlab_ci_local_evaluates_the_rules_the_same_way(tmp_path: Path) -> None:
    """The scenarios above, asked of gitlab-ci-local, an independent reading of GitLab's rules
    (it evaluates ``changes:`` by a diff against origin/main, also for schedules and tags, whose
    rules here do not use ``changes:``).
    """
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitlab-ci.yml").write_text((ROOT / ".gitlab-ci.yml").read_text())
    paths = {p for pipeline, _ in SCENARIOS.values() for p in pipeline.changed or ()}
    for path in paths:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("before\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run([*git, *cmd], cwd=repo, check=True)
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=repo, check=True)
    for name, (pipeline, _) in SCENARIOS.items():
        ours = summary(jobs(CI, pipeline))
        if ours is None:
            continue  # no pipeline: workflow:rules, which gitlab-ci-local does not evaluate
        assert _gitlab_ci_local(repo, pipeline) == ours, name


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
