"""Security headers on every response.

The page needs no script at all, so the policy forbids it outright; styles come from our own
static file only. Framing is refused both ways (CSP ``frame-ancestors`` for current browsers,
``X-Frame-Options`` for old ones). Answers that may carry a password's result are not cached.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the headers after every request."""
    lowered = [(name.lower(), name, value) for name, value in HEADERS.items()]

    @app.after_request
    def _headers(response: Response) -> Response:
        # one pass over the few headers present (setdefault per header scans them each time:
        # a measurable share of a /health request)
        present = {key.lower() for key, _ in response.headers.items()}
        response.headers.extend([(n, v) for low, n, v in lowered if low not in present])
        if request.method == "POST":
            response.headers["Cache-Control"] = "no-store"
        return response
