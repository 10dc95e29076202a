"""The access logger has no atom for user text, whatever the format asks for."""

from __future__ import annotations

import datetime
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from app.access_log import PathOnlyLogger


def _log_one(tmp_path: Path, fmt: str) -> str:
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", fmt)
    logger = PathOnlyLogger(cfg)
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/explain",
        "QUERY_STRING": "word=secretword&n_words=3",
        "RAW_URI": "/explain?word=secretword&n_words=3",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_COOKIE": "session=secretcookie",
    }
    resp = SimpleNamespace(status="200 OK", sent=42, headers=[("Content-Type", "application/json")])
    req = SimpleNamespace(headers=[("COOKIE", "session=secretcookie")])
    logger.access(resp, req, environ, datetime.timedelta(milliseconds=7))
    for handler in [*logger.access_log.handlers, *logger.error_log.handlers]:
        handler.close()
    return (tmp_path / "access.log").read_text()


def test_the_configured_format_logs_the_path_status_size_and_time(tmp_path: Path) -> None:
    line = _log_one(tmp_path, '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms')
    assert line.strip() == '10.0.0.7 "GET /explain HTTP/1.1" 200 42 7ms'


def test_formats_asking_for_the_query_headers_or_environ_get_a_dash(tmp_path: Path) -> None:
    line = _log_one(tmp_path, "%(r)s|%(q)s|%({cookie}i)s|%({http_cookie}e)s|%(U)s")
    assert line.strip() == "-|-|-|-|/explain"
    assert "secret" not in line
