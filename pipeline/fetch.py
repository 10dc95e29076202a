"""Get a source's file into ``data/raw/``: from the cache, a mirror, or the publisher's URL.

Raw files are written once, atomically (a temporary name, then a rename), checked against their
sha256, and never modified afterwards. Next to each one a small ``.source.json`` records where the
bytes came from, so a model's metadata can point at the exact data it was trained on.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import requests
from tqdm import tqdm

from pipeline.config import MIRROR_ENV, data_mirror
from pipeline.sources import Source, Variant

CHUNK = 1 << 20
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 60


class FetchError(RuntimeError):
    """A source could not be had; the message names the URL, the cause and the ways out."""


@dataclass(frozen=True)
class Fetched:
    """Where a source's bytes are on disk and what they are."""

    source: str
    path: Path
    sha256: str
    origin: str
    url: str
    note: str

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready record for model metadata."""
        record = asdict(self)
        record["path"] = str(self.path)
        return record


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks so a large archive does not fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in _chunks_of(fh):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(source: Source, raw_dir: Path, mirror: Path | None = None) -> Fetched:
    """Return the source's file, taking it from the cache, then ``DATA_MIRROR``, then the URL."""
    if not source.url:  # a local file named by the user: read in place, never copied or changed
        return _local(source)
    mirror = mirror if mirror is not None else data_mirror()
    raw_dir.mkdir(parents=True, exist_ok=True)
    cached = _from_cache(source, raw_dir, use_alternatives=mirror is not None)
    if cached is not None:
        return cached
    if mirror is not None:
        return _from_mirror(source, raw_dir, mirror)
    return _download(source, raw_dir)


def _local(source: Source) -> Fetched:
    path = Path(source.filename).expanduser()
    if not path.is_file():
        raise FetchError(f"{source.name}: no such file; give an existing path or an http(s) URL")
    return Fetched(source.name, path, sha256_of(path), "local file", "", "user-supplied")


def _candidates(source: Source) -> Iterator[Variant]:
    yield source.primary
    yield from source.alternatives


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".source.json")


def _from_cache(source: Source, raw_dir: Path, use_alternatives: bool) -> Fetched | None:
    """A verified cached copy: the publisher's file, a same-named re-pack, or (with a mirror set)
    a stand-in; None when nothing usable is cached.
    """
    variants = [v for v in _candidates(source) if use_alternatives or v.filename == source.filename]
    for filename in dict.fromkeys(v.filename for v in variants):
        path = raw_dir / filename
        if not path.is_file():
            continue
        recorded = _read_sidecar(path).get("sha256")
        actual = sha256_of(path)
        same_name = [v for v in variants if v.filename == filename]
        chosen = next((v for v in same_name if v.sha256 == actual), None) or next(
            (v for v in same_name if v.sha256 is None and recorded in (None, actual)), None
        )
        if chosen is None:
            # A damaged cache is not data: say so and fetch again rather than train on it.
            print(f"[fetch] {path} does not match its sha256; fetching it again", file=sys.stderr)
            continue
        _log(f"{source.name}: using cached {path}")
        origin = "cache (" + _read_sidecar(path).get("origin", "unknown") + ")"
        return Fetched(source.name, path, actual, origin, source.url, chosen.note)
    return None


def _from_mirror(source: Source, raw_dir: Path, mirror: Path) -> Fetched:
    tried = []
    for variant in _candidates(source):
        found = mirror / variant.filename
        tried.append(str(found))
        if not found.is_file():
            continue
        size = found.stat().st_size
        with found.open("rb") as fh:
            path, digest = _store(_chunks_of(fh), size, raw_dir / variant.filename, "copy")
        same_name = [v for v in _candidates(source) if v.filename == variant.filename]
        chosen = next((v for v in same_name if v.sha256 == digest), None) or next(
            (v for v in same_name if v.sha256 is None), None
        )
        if chosen is None:
            path.unlink()
            raise FetchError(
                f"{source.name}: {found} has sha256 {digest}, expected one of "
                f"{sorted(v.sha256 or '' for v in same_name)}; the mirror copy is damaged "
                "or a different file"
            )
        if chosen.filename != source.filename:
            _log(f"{source.name}: the mirror holds a stand-in: {chosen.note}")
        origin = f"mirror {mirror}"
        record = {"origin": origin, "url": source.url, "sha256": digest, "note": chosen.note}
        _write_sidecar(path, record)
        return Fetched(source.name, path, digest, origin, source.url, chosen.note)
    raise FetchError(
        f"{source.name}: {MIRROR_ENV}={mirror} holds none of: {', '.join(tried)}. "
        f"Unset {MIRROR_ENV} to download {source.url}, or put the file there."
    )


def _download(source: Source, raw_dir: Path) -> Fetched:
    target = raw_dir / source.filename
    try:
        response = requests.get(
            source.url, stream=True, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        raise FetchError(
            f"{source.name}: could not download {source.url}: {_reason(exc)}. "
            f"Either set {MIRROR_ENV}=DIR to a folder holding {source.filename}, "
            f"or put that file into {raw_dir}/ yourself."
        ) from exc
    size = int(response.headers.get("Content-Length") or 0)
    with response:
        path, digest = _store(response.iter_content(CHUNK), size, target, "download")
    if source.sha256 and digest != source.sha256:
        path.unlink()
        raise FetchError(
            f"{source.name}: {source.url} sent bytes with sha256 {digest}, expected "
            f"{source.sha256}; the publisher changed the file or the download was damaged"
        )
    _write_sidecar(
        path,
        {
            "origin": "download",
            "url": source.url,
            "sha256": digest,
            "etag": response.headers.get("ETag", ""),
            "last_modified": response.headers.get("Last-Modified", ""),
            "note": source.primary.note,
        },
    )
    return Fetched(source.name, path, digest, "download", source.url, source.primary.note)


def _chunks_of(fh: BinaryIO) -> Iterator[bytes]:
    while chunk := fh.read(CHUNK):
        yield chunk


def _reason(exc: requests.RequestException) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:300] + "..."


def _store(chunks: Iterable[bytes], size: int, target: Path, verb: str) -> tuple[Path, str]:
    """Write bytes to ``target`` through a temporary file, so a cut transfer leaves nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with (
            os.fdopen(fd, "wb") as out,
            tqdm(
                total=size or None,
                unit="B",
                unit_scale=True,
                desc=f"{verb} {target.name}",
                mininterval=1.0,
                file=sys.stderr,
            ) as bar,
        ):
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target, digest.hexdigest()


def _read_sidecar(path: Path) -> dict[str, str]:
    try:
        return json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_sidecar(path: Path, record: dict[str, str]) -> None:
    record = {**record, "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    tmp = _sidecar(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    tmp.replace(_sidecar(path))


def _log(message: str) -> None:
    print(f"[fetch] {message}", file=sys.stderr)
