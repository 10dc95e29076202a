from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/", {}),
        ("post", "/", {"data": {"form": "password", "password": "abc"}}),
        ("post", "/predict", {"json": {"password": "abc"}}),
        ("get", "/explain?word=x&n_words=2", {}),
        ("get", "/nowhere", {}),
    ],
)
def test_security_headers_on_every_response(client, method, path, kwargs) -> None:
    r = getattr(client, method)(path, **kwargs)
    csp = r.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'" and "script-src" not in directives
    assert directives["frame-ancestors"] == "'none'" and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_answers_to_posts_are_not_cached(client) -> None:
    r = client.post("/", data={"form": "password", "password": "abc"})
    assert r.headers["Cache-Control"] == "no-store"


def test_request_size_is_limited(client) -> None:
    r = client.post("/predict", data="x" * (2 << 20), content_type="application/json")
    assert r.status_code == 413 and "too large" in r.get_json()["error"]
