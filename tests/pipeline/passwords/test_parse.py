from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.passwords.listing import read_listing
from pipeline.passwords.parse import mask


def test_mask_keeps_count_and_length_only() -> None:
    assert mask("   12 hunter2") == "   12 •••••••"
    assert "x" not in mask("   1 " + "x" * 100)


def test_frequency_csv_keeps_odd_passwords(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text(
        'Id,Password,Times\n1,null,2.5\n2,NaN,1\n3,"a,b",0.5\n4,"two\nlines",0.25\n5,,3\n'
        "6,abc,notanumber\n7,onlytwo\n",
        encoding="utf-8",
    )
    parsed = read_listing(path, per_count=10)
    assert parsed.fmt == "frequency-csv"
    assert parsed.kept["password"].tolist() == ["null", "NaN", "a,b", "two\nlines", ""]
    assert parsed.kept["frequency"].tolist() == [2.5, 1.0, 0.5, 0.25, 3.0]
    assert [b.reason for b in parsed.bad_lines] == [
        "Times is not a number",
        "2 fields, the header has 3",
    ]


def test_frequency_csv_without_the_columns_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("Password,Count\nabc,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'Password' and 'Times'"):
        read_listing(path, per_count=10)
