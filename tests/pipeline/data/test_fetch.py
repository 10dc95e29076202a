from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from pipeline.data.fetch import FetchError, fetch
from pipeline.data.sources import ROCKYOU, Source, Variant, source_for_location

BODY = b"   10 alpha\n    9 beta\n"
SHA = hashlib.sha256(BODY).hexdigest()


def source(url: str = "http://127.0.0.1:9/list.txt", sha: str | None = SHA, alts=()) -> Source:
    return Source("demo", url, "list.txt", sha, "a test source", "rockyou-counts", alts)


def test_mirror_copy_is_verified_cached_and_reused(tmp_path: Path) -> None:
    mirror, raw = tmp_path / "mirror", tmp_path / "raw"
    mirror.mkdir()
    (mirror / "list.txt").write_bytes(BODY)
    first = fetch(source(), raw, mirror)
    assert first.path == raw / "list.txt" and first.sha256 == SHA
    assert first.origin.startswith("mirror")
    assert (raw / "list.txt.source.json").exists()
    (mirror / "list.txt").unlink()  # the second run must not need the mirror
    second = fetch(source(), raw, mirror)
    assert second.origin.startswith("cache") and second.sha256 == SHA
    assert (mirror / "list.txt").exists() is False and (raw / "list.txt").read_bytes() == BODY


def test_mirror_stand_in_is_used_and_named(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "head.txt.gz").write_bytes(BODY)
    alt = Variant("head.txt.gz", SHA, "head of the list only")
    got = fetch(source(sha=None, alts=(alt,)), tmp_path / "raw", mirror)
    assert got.path.name == "head.txt.gz" and got.note == "head of the list only"


def test_mirror_file_with_wrong_checksum_is_refused_and_removed(tmp_path: Path) -> None:
    mirror, raw = tmp_path / "mirror", tmp_path / "raw"
    mirror.mkdir()
    (mirror / "list.txt").write_bytes(BODY + b"tampered")
    with pytest.raises(FetchError, match="sha256"):
        fetch(source(), raw, mirror)
    assert list(raw.iterdir()) == []


def test_mirror_without_the_file_names_what_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"holds none of: .*list\.txt.*Unset DATA_MIRROR"):
        fetch(source(), tmp_path / "raw", tmp_path)


def test_offline_without_mirror_fails_fast_naming_url_and_ways_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATA_MIRROR", raising=False)
    start = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(source(), tmp_path / "raw", mirror=None)
    message = str(info.value)
    assert time.monotonic() - start < 10
    assert "http://127.0.0.1:9/list.txt" in message
    assert "DATA_MIRROR" in message and str(tmp_path / "raw") in message
    assert not any((tmp_path / "raw").glob("*.part"))


def test_damaged_cache_is_fetched_again(tmp_path: Path) -> None:
    mirror, raw = tmp_path / "mirror", tmp_path / "raw"
    mirror.mkdir()
    raw.mkdir()
    (mirror / "list.txt").write_bytes(BODY)
    (raw / "list.txt").write_bytes(b"half a fi")
    assert fetch(source(), raw, mirror).origin.startswith("mirror")
    assert (raw / "list.txt").read_bytes() == BODY


def test_user_file_is_read_in_place(tmp_path: Path) -> None:
    path = tmp_path / "kaggle.csv"
    path.write_bytes(b"Password,Times\nabc,1.5\n")
    got = fetch(source_for_location(str(path), "passwords"), tmp_path / "raw")
    assert got.path == path and not (tmp_path / "raw").exists()
    with pytest.raises(FetchError, match="no such file"):
        fetch(source_for_location(str(tmp_path / "nope.csv"), "passwords"), tmp_path / "raw")


def test_rockyou_source_points_at_seclists_and_the_mirror_head() -> None:
    assert ROCKYOU.url.endswith("Passwords/Leaked-Databases/rockyou-withcount.txt.tar.gz")
    assert ROCKYOU.alternatives[0].filename == "rockyou-top100k-withcount.txt.gz"


def test_a_source_in_a_subfolder_keeps_its_path_and_is_cached(tmp_path: Path) -> None:
    mirror, raw = tmp_path / "mirror", tmp_path / "raw"
    (mirror / "lists").mkdir(parents=True)
    (mirror / "lists" / "words.txt").write_bytes(b"money\n")
    src = Source("words", "http://127.0.0.1:9/w.txt", "lists/words.txt", None, "", "word-list")
    assert fetch(src, raw, mirror).path == raw / "lists" / "words.txt"
    assert fetch(src, raw, mirror).origin.startswith("cache")


def test_cached_repack_is_reused_without_a_mirror(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "list.txt").write_bytes(BODY + b"repacked")
    repack = Variant("list.txt", hashlib.sha256(BODY + b"repacked").hexdigest(), "re-packed")
    got = fetch(source(alts=(repack,)), raw, mirror=None)
    assert got.origin.startswith("cache") and got.note == "re-packed"
    assert "does not match" not in capsys.readouterr().err


@pytest.fixture
def publisher(tmp_path: Path):
    """A local HTTP server publishing ``list.txt`` with Last-Modified (answers 304 when fresh)."""
    import functools
    import http.server
    import threading

    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "list.txt").write_bytes(BODY)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/list.txt", server
    server.shutdown()
    server.server_close()


def test_refresh_downloads_only_when_the_publisher_changed(
    tmp_path, publisher, capsys, monkeypatch
) -> None:
    monkeypatch.delenv("DATA_MIRROR", raising=False)  # CI sets it; this test is about the URL
    folder, url, server = publisher
    raw = tmp_path / "raw"
    first = fetch(source(url, sha=None), raw, refresh=False)
    assert first.origin == "download" and first.sha256 == SHA
    same = fetch(source(url, sha=None), raw, refresh=True)
    assert same.sha256 == SHA and "unchanged (HTTP 304" in capsys.readouterr().err

    new_body = BODY + b"    8 gamma\n"
    (folder / "list.txt").write_bytes(new_body)
    later = time.time() + 10
    os.utime(folder / "list.txt", (later, later))
    changed = fetch(source(url, sha=None), raw, refresh=True)
    assert changed.sha256 == hashlib.sha256(new_body).hexdigest()
    assert (raw / "list.txt").read_bytes() == new_body
    sidecar = (raw / "list.txt.source.json").read_text()
    assert SHA in sidecar and "previous_sha256" in sidecar

    server.shutdown()
    server.server_close()
    kept = fetch(source(url, sha=None), raw, refresh=True)
    assert kept.sha256 == changed.sha256 and "using the cached copy" in capsys.readouterr().err


def test_refresh_with_a_mirror_compares_checksums(tmp_path: Path) -> None:
    mirror, raw = tmp_path / "mirror", tmp_path / "raw"
    mirror.mkdir()
    (mirror / "list.txt").write_bytes(BODY)
    fetch(source(sha=None), raw, mirror)
    assert fetch(source(sha=None), raw, mirror, refresh=True).sha256 == SHA
    (mirror / "list.txt").write_bytes(BODY + b"    1 delta\n")
    fresh = fetch(source(sha=None), raw, mirror, refresh=True)
    assert fresh.sha256 != SHA and fresh.origin.startswith("mirror")
