"""Reading a list in one pass: every row as a hash, a uniform sample of the crowded counts."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from pipeline.data.sources import ROCKYOU_TOTAL
from pipeline.passwords.features import hash64
from pipeline.passwords.listing import read_listing, scan_count_lines


def lines(rows: list[tuple[int, str]]) -> list[bytes]:
    return [f"{c:>7} {p}\n".encode() for c, p in rows]


ROWS = [(100 - i, f"head{i}") for i in range(50)] + [(1, f"tail{i}") for i in range(3000)]


def test_every_row_is_hashed_and_a_crowded_count_is_sampled_with_weights() -> None:
    listing = scan_count_lines(lines(ROWS), per_count=500)
    assert len(listing.hashes) == 3050 and listing.hashes[0] == hash64("head0")
    assert listing.rows_per_count[1] == 3000
    kept = listing.kept
    ones = kept[kept["count"] == 1]
    assert len(ones) == 500 and set(ones["weight"]) == {6.0}  # 3000 rows stand for by 500
    assert len(kept[kept["count"] > 1]) == 50 and set(kept[kept["count"] > 1]["weight"]) == {1.0}
    # the sample is the rows of the smallest hashes, whatever the file's order
    reordered = scan_count_lines(lines(ROWS[::-1]), per_count=500)
    assert set(reordered.kept["password"]) == set(kept["password"])
    assert kept["password"].tolist() == [p for _, p in ROWS if p in set(kept["password"])]


def test_a_small_list_keeps_every_row_in_the_files_order() -> None:
    listing = scan_count_lines(lines(ROWS), per_count=10**6)
    assert listing.kept["password"].tolist() == [p for _, p in ROWS]
    assert set(listing.kept["weight"]) == {1.0}


def test_bad_lines_are_counted_and_the_first_few_shown_masked() -> None:
    raw = lines(ROWS[:5]) + [b"garbage line\n"] * 30 + [b"   12 \xff\xfe\n"]
    listing = scan_count_lines(raw, per_count=10)
    assert listing.bad_by_reason == {"no count before the password": 30, "not valid UTF-8": 1}
    assert listing.n_bad == 31 and len(listing.bad_lines) == 10
    assert all("garbage" not in b.preview for b in listing.bad_lines)


def test_duplicates_are_found_by_hash() -> None:
    listing = scan_count_lines(lines(ROWS[:10] + ROWS[:3]), per_count=100)
    assert listing.duplicates() == 3


def test_a_tar_gz_is_streamed_with_its_progress(tmp_path: Path) -> None:
    text = tmp_path / "rockyou-withcount.txt"
    text.write_bytes(b"".join(lines(ROWS)))
    archive = tmp_path / "rockyou-withcount.txt.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(text, arcname=text.name)
    seen: list[tuple[int, float]] = []
    listing = read_listing(archive, per_count=100, progress=lambda n, s: seen.append((n, s)))
    assert len(listing.hashes) == len(ROWS)
    np.testing.assert_allclose(listing.frequencies[:2], [100e6 / 32_603_388, 99e6 / 32_603_388])
    assert seen == []  # fewer lines than a progress step


def test_count_lines_keep_every_character_of_the_password() -> None:
    listing = scan_count_lines(
        [
            b" 290729 123456\n",
            b"     24 !QAZzaq1       \n",  # trailing spaces belong to the password
            b"     30  leading space\n",  # so does a second space after the count
            b"\t 25 tab\tinside\n",
            b"     23 \n",  # the empty password
            b"     23 caf\xc3\xa9\r\n",  # CRLF files: \r\n is the line end
            b"     23 last-line-without-newline",
        ],
        per_count=100,
    )
    assert listing.bad_lines == [] and listing.n_bad == 0
    assert listing.kept["password"].tolist() == [
        "123456",
        "!QAZzaq1       ",
        " leading space",
        "tab\tinside",
        "",
        "café",
        "last-line-without-newline",
    ]
    assert listing.kept["count"].tolist()[:2] == [290729, 24]
    assert listing.kept["frequency"].iloc[0] == pytest.approx(290729 * 1e6 / ROCKYOU_TOTAL)
    assert listing.hashes[4] == hash64("") and listing.hashes[5] == hash64("café")


def test_bare_count_is_the_empty_password() -> None:
    listing = scan_count_lines([b"   100\n"], per_count=10)
    assert listing.kept["password"].tolist() == [""]
    assert listing.hashes.tolist() == [hash64("")]


def test_bad_lines_carry_their_line_and_reason_and_are_masked() -> None:
    listing = scan_count_lines(
        [b"   10 ok\n", b"secretword\n", b"\n", b"   -5 negative\n", b"  12 bad\xff\xfe\n"],
        per_count=10,
    )
    assert listing.kept["password"].tolist() == ["ok"]
    assert listing.n_lines == 5
    reasons = {b.line_no: b.reason for b in listing.bad_lines}
    assert reasons == {
        2: "no count before the password",
        3: "blank line",
        4: "no count before the password",
        5: "not valid UTF-8",
    }
    previews = " ".join(b.preview for b in listing.bad_lines)
    assert "secretword" not in previews and "negative" not in previews and "bad" not in previews


def test_reads_plain_gzip_and_tar_gz(tmp_path: Path) -> None:
    body = b"   50 alpha\n   40 beta gamma\n"
    (tmp_path / "list.txt").write_bytes(body)
    (tmp_path / "list.txt.gz").write_bytes(gzip.compress(body))
    with tarfile.open(tmp_path / "list.txt.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo("rockyou-withcount.txt")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    for name in ("list.txt", "list.txt.gz", "list.txt.tar.gz"):
        listing = read_listing(tmp_path / name, per_count=10)
        assert listing.kept["password"].tolist() == ["alpha", "beta gamma"], name
        assert listing.counts is not None and listing.counts.tolist() == [50, 40], name
