from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from pipeline.data.sources import ROCKYOU_TOTAL
from pipeline.passwords.parse import mask, parse_count_lines, read_password_file


def lines(*raw: bytes) -> list[bytes]:
    return list(raw)


def test_count_lines_keep_every_character_of_the_password() -> None:
    parsed = parse_count_lines(
        lines(
            b" 290729 123456\n",
            b"     24 !QAZzaq1       \n",  # trailing spaces belong to the password
            b"     30  leading space\n",  # so does a second space after the count
            b"\t 25 tab\tinside\n",
            b"     23 \n",  # the empty password
            b"     23 caf\xc3\xa9\r\n",  # CRLF files: \r\n is the line end
            b"     23 last-line-without-newline",
        )
    )
    assert parsed.bad_lines == []
    assert parsed.frame["password"].tolist() == [
        "123456",
        "!QAZzaq1       ",
        " leading space",
        "tab\tinside",
        "",
        "café",
        "last-line-without-newline",
    ]
    assert parsed.frame["count"].tolist()[:2] == [290729, 24]
    assert parsed.frame["frequency"].iloc[0] == pytest.approx(290729 * 1e6 / ROCKYOU_TOTAL)


def test_bare_count_is_the_empty_password() -> None:
    parsed = parse_count_lines([b"   100\n"])
    assert parsed.frame["password"].tolist() == [""]


def test_bad_lines_are_counted_with_reasons_and_masked() -> None:
    parsed = parse_count_lines(
        lines(b"   10 ok\n", b"secretword\n", b"\n", b"   -5 negative\n", b"  12 bad\xff\xfe\n")
    )
    assert parsed.frame["password"].tolist() == ["ok"]
    assert parsed.n_lines == 5
    reasons = {b.line_no: b.reason for b in parsed.bad_lines}
    assert reasons == {
        2: "no count before the password",
        3: "blank line",
        4: "no count before the password",
        5: "not valid UTF-8",
    }
    previews = " ".join(b.preview for b in parsed.bad_lines)
    assert "secretword" not in previews and "negative" not in previews and "bad" not in previews


def test_mask_keeps_count_and_length_only() -> None:
    assert mask("   12 hunter2") == "   12 •••••••"
    assert "x" not in mask("   1 " + "x" * 100)


def test_reads_plain_gzip_and_tar_gz(tmp_path: Path) -> None:
    body = b"   50 alpha\n   40 beta gamma\n"
    (tmp_path / "list.txt").write_bytes(body)
    (tmp_path / "list.txt.gz").write_bytes(gzip.compress(body))
    with tarfile.open(tmp_path / "list.txt.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo("rockyou-withcount.txt")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    for name in ("list.txt", "list.txt.gz", "list.txt.tar.gz"):
        parsed = read_password_file(tmp_path / name)
        assert parsed.frame["password"].tolist() == ["alpha", "beta gamma"], name


def test_frequency_csv_keeps_odd_passwords(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text(
        'Id,Password,Times\n1,null,2.5\n2,NaN,1\n3,"a,b",0.5\n4,"two\nlines",0.25\n5,,3\n'
        "6,abc,notanumber\n7,onlytwo\n",
        encoding="utf-8",
    )
    parsed = read_password_file(path)
    assert parsed.fmt == "frequency-csv"
    assert parsed.frame["password"].tolist() == ["null", "NaN", "a,b", "two\nlines", ""]
    assert parsed.frame["frequency"].tolist() == [2.5, 1.0, 0.5, 0.25, 3.0]
    assert [b.reason for b in parsed.bad_lines] == [
        "Times is not a number",
        "2 fields, the header has 3",
    ]


def test_frequency_csv_without_the_columns_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("Password,Count\nabc,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'Password' and 'Times'"):
        read_password_file(path)
