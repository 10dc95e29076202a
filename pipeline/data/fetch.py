"""Get a source's file into ``data/raw/``: from the cache, a mirror, or the publisher's URL.

Raw files are written atomically (a temporary name, then a rename) and checked against their
sha256. Next to each one a small ``.source.json`` records where the bytes came from (URL, ETag,
Last-Modified, sha256), so a model's metadata can point at the exact data it was trained on.

A cached file is used as it is, unless ``DATA_REFRESH=1`` (the scheduled CI run): then the
publisher is asked whether the file changed (a conditional GET with the recorded ETag and
Last-Modified; with a mirror, the mirror copy's sha256 is compared) and a changed file replaces
the cached one, its sidecar keeping the previous sha256. When the publisher cannot be reached
the cached copy is used and the log says so.
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
from pipeline.errors import PipelineError
from pipeline.data.sources import Source, Variant

REFRESH_ENV = "DATA_REFRESH"
CHUNK = 1 << 20
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 60


class FetchError(PipelineError):
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


def fetch(
    source: Source, raw_dir: Path, mirror: Path | None = None, refresh: bool | None = None
) -> Fetched:
    """Return the source's file, taking it from the cache, then ``DATA_MIRROR``, then the URL;
    with ``refresh`` (default: ``DATA_REFRESH=1``) a cached file is first checked for changes.
    """
    if not source.url:  # a local file named by the user: read in place, never copied or changed
        return _local(source)
    mirror = mirror if mirror is not None else data_mirror()
    refresh = os.environ.get(REFRESH_ENV) == "1" if refresh is None else refresh
    raw_dir.mkdir(parents=True, exist_ok=True)
    cached = _from_cache(source, raw_dir, use_alternatives=mirror is not None)
    if cached is not None:
        return _refresh(source, cached, raw_dir, mirror) if refresh else cached
    if mirror is not None:
        return _from_mirror(source, raw_dir, mirror)
    fetched = _download(source, raw_dir)
    assert fetched is not None  # only a conditional request can answer "unchanged"
    return fetched


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


def _from_mirror(
    source: Source, raw_dir: Path, mirror: Path, previous: str | None = None
) -> Fetched:
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
        if previous and previous != digest:
            record["previous_sha256"] = previous
        _write_sidecar(path, record)
        return Fetched(source.name, path, digest, origin, source.url, chosen.note)
    raise FetchError(
        f"{source.name}: {MIRROR_ENV}={mirror} holds none of: {', '.join(tried)}. "
        f"Unset {MIRROR_ENV} to download {source.url}, or put the file there."
    )


def _refresh(source: Source, cached: Fetched, raw_dir: Path, mirror: Path | None) -> Fetched:
    """The cached file if the publisher (or the mirror) still has the same bytes, else the new."""
    if mirror is not None:
        found = mirror / cached.path.name
        if found.is_file() and sha256_of(found) != cached.sha256:
            _log(f"{source.name}: the mirror's copy changed; taking the new one")
            return _from_mirror(source, raw_dir, mirror, previous=cached.sha256)
        _log(f"{source.name}: unchanged (same sha256 as the mirror's copy)")
        return cached
    recorded = _read_sidecar(cached.path)
    headers = {}
    if recorded.get("etag"):
        headers["If-None-Match"] = recorded["etag"]
    if recorded.get("last_modified"):
        headers["If-Modified-Since"] = recorded["last_modified"]
    try:
        fresh = _download(source, raw_dir, headers=headers, previous=cached.sha256)
    except FetchError as exc:
        _log(f"{source.name}: could not check for a new version ({exc}); using the cached copy")
        return cached
    if fresh is None:
        _log(f"{source.name}: unchanged (HTTP 304 from {source.url})")
        return cached
    changed = "changed" if fresh.sha256 != cached.sha256 else "unchanged (same sha256)"
    _log(f"{source.name}: {changed}: {source.url}")
    return fresh


def _download(
    source: Source,
    raw_dir: Path,
    headers: dict[str, str] | None = None,
    previous: str | None = None,
) -> Fetched | None:
    """Download the publisher's file; None when a conditional request says it is unchanged."""
    target = raw_dir / source.filename
    try:
        response = requests.get(
            source.url,
            stream=True,
            timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
            headers=headers or {},
        )
        if response.status_code == 304:
            response.close()
            return None
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
            **({"previous_sha256": previous} if previous and previous != digest else {}),
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
