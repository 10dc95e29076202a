"""Which jobs of ``.gitlab-ci.yml`` a pipeline runs: GitLab's ``workflow:rules`` and job ``rules``
evaluated for a pipeline the test describes (its source, branch or tag, merge request, changed
files), so a test can say "a push to develop runs test and train-sample" and be checked.

The subset of GitLab's semantics the file uses: ``if`` expressions with variables, quoted strings,
``null``, ``/regex/``, ``==``, ``!=``, ``=~``, ``!~``, ``&&`` (binding tighter than ``||``) and
parentheses;
``changes`` globs (``*`` within a folder, ``**/`` any depth); the first matching rule decides, and
``when: never`` or no match leaves the job out. ``changes`` is true in pipelines with no push to
compare (schedules, tags), as in GitLab. tests/test_gitlab_ci.py also asks gitlab-ci-local, an
independent implementation, for the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_BRANCH = "main"
TOKEN = re.compile(
    r"""\s*(?:\$(?P<var>\w+)|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|/(?P<re>(?:\\.|[^/])*)/"""
    r"""|(?P<null>\bnull\b)|(?P<op>==|!=|=~|!~|&&|\|\||\(|\)))"""
)


@dataclass(frozen=True)
class Pipeline:
    """A pipeline as GitLab would create it; ``changed`` None = ``changes:`` is always true."""

    source: str  # push, merge_request_event, schedule
    branch: str | None = None
    tag: str | None = None
    mr_source: str | None = None  # the source branch of a merge request pipeline
    open_mr: bool = False  # a push to a branch that has an open merge request
    changed: tuple[str, ...] | None = ()
    project: tuple[tuple[str, str], ...] = ()  # the project's CI/CD variables (KUBE_CONFIG ...)

    def variables(self, globals_: Mapping[str, Any]) -> dict[str, str]:
        """The predefined variables GitLab sets for this pipeline, over the file's globals."""
        env = {k: str(v) for k, v in globals_.items()}
        env.update(self.project)
        env.update(CI_PIPELINE_SOURCE=self.source, CI_DEFAULT_BRANCH=DEFAULT_BRANCH)
        if self.branch and self.source != "merge_request_event":
            env["CI_COMMIT_BRANCH"] = self.branch
        if self.tag:
            env["CI_COMMIT_TAG"] = self.tag
        if self.mr_source:
            env["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"] = self.mr_source
        if self.open_mr:
            env["CI_OPEN_MERGE_REQUESTS"] = "group/project!1"
        return env


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while expr[pos:].strip():
        m = TOKEN.match(expr, pos)
        if m is None:
            raise ValueError(f"cannot read {expr[pos:]!r} in rules:if {expr!r}")
        kind = m.lastgroup or ""
        out.append(("str" if kind in ("dq", "sq") else kind, m.group(kind)))
        pos = m.end()
    return out


def evaluate(expr: str, env: Mapping[str, str]) -> bool:
    """A ``rules:if`` expression; an undefined variable is null, an empty one is false."""
    tokens = _tokens(expr)

    def value() -> Any:
        kind, text = tokens.pop(0)
        if kind == "op" and text == "(":
            result = disjunction()
            tokens.pop(0)  # ")"
            return result
        if kind == "var":
            return env.get(text)
        if kind == "null":
            return None
        return re.compile(text) if kind == "re" else text

    def comparison() -> bool:
        left = value()
        if not tokens or tokens[0][1] not in ("==", "!=", "=~", "!~"):
            return bool(left)
        op = tokens.pop(0)[1]
        right = value()
        if op in ("=~", "!~"):
            found = left is not None and right.search(left) is not None
            return found if op == "=~" else not found
        return (left == right) if op == "==" else (left != right)

    def conjunction() -> bool:
        result = comparison()
        while tokens and tokens[0][1] == "&&":
            tokens.pop(0)
            result = comparison() and result
        return result

    def disjunction() -> bool:
        result = conjunction()
        while tokens and tokens[0][1] == "||":
            tokens.pop(0)
            result = conjunction() or result
        return result

    result = disjunction()
    if tokens:
        raise ValueError(f"unexpected {tokens[0][1]!r} in rules:if {expr!r}")
    return result


def glob_matches(pattern: str, path: str) -> bool:
    """GitLab's ``changes`` glob: ``*`` stays within a folder, ``**/`` spans any depth."""
    regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
    return re.fullmatch(regex.replace(r"\*", "[^/]*"), path) is not None


def _first_match(rules: list[dict[str, Any]], env: Mapping[str, str], pipeline: Pipeline):
    for rule in rules:
        if "if" in rule and not evaluate(rule["if"], env):
            continue
        changes, changed = rule.get("changes"), pipeline.changed
        if (
            changes
            and changed is not None
            and not any(glob_matches(g, p) for g in changes for p in changed)
        ):
            continue
        return rule
    return None


def jobs(ci: dict[str, Any], pipeline: Pipeline) -> dict[str, dict[str, Any]] | None:
    """``{job: {"when": ..., "variables": {...}}}`` for the jobs the pipeline runs, or None when
    ``workflow:rules`` create no pipeline.
    """
    env = pipeline.variables(ci.get("variables", {}))
    workflow = ci.get("workflow", {}).get("rules")
    if workflow is not None:
        rule = _first_match(workflow, env, pipeline)
        if rule is None or rule.get("when") == "never":
            return None
    out = {}
    for name, job in ci.items():
        if not (isinstance(job, dict) and "stage" in job):
            continue
        rule = _first_match(job["rules"], env, pipeline) if "rules" in job else {}
        if rule is None or rule.get("when") == "never":
            continue
        when = rule.get("when") or job.get("when", "on_success")
        out[name] = {"when": when, "variables": rule.get("variables", {})}
    return out
