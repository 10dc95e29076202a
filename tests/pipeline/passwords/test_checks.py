from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.passwords.checks import DataCheckError, enforce, format_report, run_checks
from pipeline.passwords.listing import read_listing

LIMITS = {"min_rows": 3, "max_rows": 1000, "max_bad_fraction": 0.1}
GOOD = "".join(f"   {100 - i} pw{i}\n" for i in range(20))


def check_file(tmp_path: Path, text: bytes) -> list:
    path = tmp_path / "list.txt"
    path.write_bytes(text)
    return run_checks(read_listing(path, per_count=1000), **LIMITS)


def failed(checks: list) -> set[str]:
    return {c.name for c in checks if not c.passed}


def test_good_file_passes(tmp_path: Path) -> None:
    checks = check_file(tmp_path, GOOD.encode())
    assert failed(checks) == set()
    enforce(checks)  # does not raise


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (b"no count here\n" * 5, "lines parse"),
        (b"   12 \xff\xfebroken\n" * 5, "text is valid UTF-8"),
        (b"    0 zero\n", "counts positive"),
        (b"   99 pw3\n", "no duplicate passwords"),
    ],
)
def test_each_kind_of_bad_file_fails_clearly(tmp_path: Path, extra: bytes, expected: str) -> None:
    checks = check_file(tmp_path, GOOD.encode() + extra)
    assert failed(checks) == {expected}
    with pytest.raises(DataCheckError, match=expected):
        enforce(checks)
    report = format_report(checks)
    assert f"[FAIL] {expected}" in report
    assert "broken" not in report and "no count here" not in report  # masked, never in clear


def test_too_few_rows_fails(tmp_path: Path) -> None:
    assert failed(check_file(tmp_path, b"   5 a\n   4 b\n")) == {"plausible row count"}


def test_a_few_bad_lines_within_tolerance_are_reported_not_fatal(tmp_path: Path) -> None:
    checks = check_file(tmp_path, GOOD.encode() + b"garbage\n")
    assert failed(checks) == set()
    parse_check = next(c for c in checks if c.name == "lines parse")
    assert parse_check.detail.startswith("1 lines do not parse")
    assert "line 21: no count before the password" in parse_check.detail
