"""The house plan, checked: small modules, a short top level of ``pipeline/``, no two module
names that read as synonyms, one list of models, and no import circles.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.config import ROOT

MAX_LINES = 400
MAX_TOP_LEVEL = 6
PACKAGES = ("pipeline", "app")
# what run_all.sh, the scripts, the configs and the code may not spell out: the list of models
MODEL_LIST = re.compile(r"""["']?passwords["']?(?:,\s*|\s+|\|)["']?hat\b""")
CODE_GLOBS = ("pipeline/**/*.py", "app/**/*.py", "benchmarks/*.py", "scripts/**/*", "*.sh")


def modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_no_module_is_over_the_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_the_top_of_pipeline_has_a_few_modules_and_folders_by_part() -> None:
    top = sorted(p.name for p in (ROOT / "pipeline").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL, top
    parts = {p.name for p in (ROOT / "pipeline").iterdir() if (p / "__init__.py").exists()}
    assert {"data", "registry", "runs", "passwords", "hat"} <= parts


def _stem(name: str) -> str:
    return re.sub(r"(ion|ing|e|s)$", "", name)


def test_no_two_modules_of_a_folder_read_as_synonyms() -> None:
    folders: dict[Path, list[str]] = {}
    for p in modules():
        folders.setdefault(p.parent, []).append(p.stem)
    clashes = [
        (str(folder.relative_to(ROOT)), a, b)
        for folder, names in folders.items()
        for a in names
        for b in names
        if a < b and _stem(a) == _stem(b)
    ]
    assert not clashes, clashes


def test_the_models_are_listed_in_one_place() -> None:
    spelled = []
    for pattern in CODE_GLOBS:
        for path in ROOT.glob(pattern):
            if path.is_file() and path.suffix in ("", ".py", ".sh", ".yml", ".yaml"):
                text = path.read_text(encoding="utf-8", errors="replace")
                spelled += [
                    f"{path.relative_to(ROOT)}: {m.group()}" for m in MODEL_LIST.finditer(text)
                ]
    for name in ("Dockerfile", ".gitlab-ci.yml", "dvc.yaml", "docker-compose.yml"):
        text = (ROOT / name).read_text(encoding="utf-8")
        spelled += [f"{name}: {m.group()}" for m in MODEL_LIST.finditer(text)]
    assert not spelled, spelled


def _imports(path: Path, module: str) -> set[str]:
    """The project modules ``path`` imports when it runs (typing-only imports left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for stmt in ast.walk(tree)
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
        for node in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m.split(".")[0] in PACKAGES and m != module}


def test_no_import_circles() -> None:
    names = {}
    for p in modules():
        parts = p.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    graph = {m: {i for i in _imports(p, m) if i in names} for m, p in names.items()}
    # a package's __init__ importing its own modules is the package's face, not a circle
    graph = {
        m: {i for i in deps if not (names[m].name == "__init__.py" and i.startswith(m + "."))}
        for m, deps in graph.items()
    }
    circles = []
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for dep in sorted(graph[m]):
            if state.get(dep) == 1:
                circles.append([*trail[trail.index(dep) :], dep] if dep in trail else [m, dep])
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not circles, circles
