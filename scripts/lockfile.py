"""What Pipfile.lock says, read offline: whether it still matches the Pipfile, and the pip
requirement files derived from it.

Usage: python3 scripts/lockfile.py requirements   write requirements.txt and requirements-dev.txt
       python3 scripts/lockfile.py check          exit 1, saying what to run, when the lock is
                                                  stale or a requirements file does not match it

Standard library only, so the system Python 3.11 runs it before the virtualenv exists, and a
function of Pipfile.lock alone: ``pipenv requirements --hash`` says the same (a test compares
them) but its layout changes with the pipenv version, and the files must not.
The Pipfile's hash is computed the way pipenv 2026.10 does (plette's ``Pipfile.get_hash`` over
PEP 503 names); ``pipenv install --deploy`` refuses a lock whose ``_meta.hash`` differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = {"requirements.txt": "default", "requirements-dev.txt": "develop"}
REGENERATE = "python3 scripts/lockfile.py requirements"
PYPI = "https://pypi.org/simple"
# the source plette adds to a Pipfile that names none
DEFAULT_SOURCE = {"name": "pypi", "url": PYPI, "verify_ssl": True}
# the Pipfile's own tables; every other table is a package category
PIPFILE_SECTIONS = {"source", "packages", "dev-packages", "requires", "scripts", "pipfile"}


class LockError(Exception):
    """A lock this script cannot turn into pip requirements; the message names the package."""


def canonical(name: str) -> str:
    """The PEP 503 form of a package name (``My_Pkg`` -> ``my-pkg``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pipfile_hash(pipfile: Path) -> str:
    """The sha256 pipenv records as ``_meta.hash.sha256`` when it locks this Pipfile."""
    raw = tomllib.loads(pipfile.read_text(encoding="utf-8"))
    sources = raw.get("source") or [DEFAULT_SOURCE]

    def names(section: dict[str, Any]) -> dict[str, Any]:
        return {canonical(k): v for k, v in section.items()}

    data: dict[str, Any] = {
        "_meta": {"sources": sources, "requires": raw.get("requires", {})},
        "default": names(raw.get("packages", {})),
        "develop": names(raw.get("dev-packages", {})),
    }
    for category, values in raw.items():
        if category not in PIPFILE_SECTIONS | {"pipenv", "default", "develop"}:
            data[category] = names(values)
    content = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def load_lock(root: Path = ROOT) -> dict[str, Any]:
    """Pipfile.lock as written by pipenv."""
    return json.loads((root / "Pipfile.lock").read_text(encoding="utf-8"))


def requirement(name: str, entry: dict[str, Any]) -> str:
    """One locked package as a pip requirement with its hashes, one hash a line."""
    unsupported = {"git", "path", "file", "editable", "ref", "subdirectory"} & set(entry)
    if unsupported:
        raise LockError(f"{name}: a {'/'.join(sorted(unsupported))} entry; pin it from an index")
    if not entry.get("version", "").startswith("==") or not entry.get("hashes"):
        raise LockError(f"{name}: the lock holds no pinned version with hashes")
    extras = f"[{','.join(sorted(entry['extras']))}]" if entry.get("extras") else ""
    line = f"{name}{extras}{entry['version']}"
    if entry.get("markers"):
        line += f" ; {entry['markers']}"
    return " \\\n    ".join([line, *(f"--hash={h}" for h in sorted(entry["hashes"]))])


def requirements(lock: dict[str, Any], category: str) -> str:
    """The text of the requirements file of ``category`` (``default`` or ``develop``).

    The dev file includes the runtime one, and lists only the dev packages it does not already
    pin; a package locked differently in both cannot be installed by pip from one set, so it is
    an error rather than a guess.
    """
    filename = next(f for f, c in REQUIREMENTS.items() if c == category)
    header = [
        f"# Generated from Pipfile.lock by `{REGENERATE}`: do not edit.",
        f"# pip install -r {filename}   (pip checks every file against its hashes)",
    ]
    sources = lock["_meta"].get("sources", [])
    if [s.get("url") for s in sources] not in ([PYPI], []):
        header += [f"--index-url {sources[0]['url']}"]
        header += [f"--extra-index-url {s['url']}" for s in sources[1:]]
    entries = dict(lock[category])
    if category == "develop":
        header.append("-r requirements.txt")
        for name, entry in lock["default"].items():
            if name in entries and entries[name] != entry:
                raise LockError(f"{name}: locked differently for runtime and development")
            entries.pop(name, None)
    body = [requirement(name, entries[name]) for name in sorted(entries)]
    return "\n".join(header + body) + "\n"


def stale(root: Path = ROOT) -> list[str]:
    """What does not match: one line per problem, each saying which command fixes it."""
    problems = []
    lock = load_lock(root)
    locked = lock.get("_meta", {}).get("hash", {}).get("sha256")
    wanted = pipfile_hash(root / "Pipfile")
    if locked != wanted:
        problems.append(
            f"Pipfile.lock does not match the Pipfile (its hash {locked}, the Pipfile's {wanted}):"
            f" run `pipenv lock` (or `pipenv install --dev PACKAGE`), then `{REGENERATE}`"
        )
    for filename, category in REQUIREMENTS.items():
        path = root / filename
        if not path.is_file() or path.read_text(encoding="utf-8") != requirements(lock, category):
            problems.append(f"{filename} does not match Pipfile.lock: run `{REGENERATE}`")
    return problems


def write_requirements(root: Path = ROOT) -> list[Path]:
    """Write both requirement files, each atomically (a temp file renamed over it)."""
    lock = load_lock(root)
    texts = {filename: requirements(lock, category) for filename, category in REQUIREMENTS.items()}
    written = []
    for filename, text in texts.items():
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{filename}.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(root / filename)
        written.append(root / filename)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write or check; 1 when something does not match, 2 on a wrong call."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    try:
        if args == ["requirements"]:
            for path in write_requirements():
                print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
            return 0
        if args == ["check"]:
            problems = stale()
            for line in problems:
                print(f"lockfile: {line}", file=sys.stderr)
            return 1 if problems else 0
    except (LockError, KeyError, ValueError, OSError) as exc:
        print(f"lockfile: cannot read Pipfile.lock or Pipfile: {exc}", file=sys.stderr)
        return 1
    print("usage: python3 scripts/lockfile.py requirements|check (see --help)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
