"""gunicorn's access log with only the atoms that carry no user text.

gunicorn's stock logger computes every atom for every request: the raw URI with its query
string, all request headers and the whole WSGI environ. Our format prints the path only, but a
changed ``access_log_format`` (``%(r)s``, ``%(q)s``, ``%({cookie}i)s``) would then log Hat words
or other user text. Here those atoms do not exist, so they print ``-``; and building seven atoms
instead of every environ key is a measurable share of a small request.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger


class PathOnlyLogger(Logger):
    """The stock logger, with the access atoms limited to method, path, status, size, time."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        """The atoms our format uses; any other atom is missing, which gunicorn prints as -."""
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "m": environ.get("REQUEST_METHOD"),
            "U": environ.get("PATH_INFO"),  # the path, never the query string
            "H": environ.get("SERVER_PROTOCOL"),
            "s": status,
            "B": getattr(resp, "sent", None),
            "M": request_time.seconds * 1000 + request_time.microseconds // 1000,
        }
