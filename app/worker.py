"""The gunicorn worker the service runs: gevent's, with deadlines on reading a request and the
server layer's errors in the app's JSON format.

gevent, because a slow client then costs a greenlet, not a worker: with sync workers two
connections that send a request slowly hold both workers and nothing else is answered until
gunicorn's timeout (docs/service.md, "Serving model", has the measurements). The views never wait
on anything but the client and the batch their model work joins (:mod:`app.coalescing`: the
requests that are ready together, one turn of the loop), so one event loop per process loses
nothing.

gevent's stock worker reads a request's headers under one silent ``keepalive`` deadline and its
body with none at all. Here:

- a connection that sends nothing for ``keepalive`` seconds is closed silently: nothing was asked,
  and a 408 sent then would be read as the answer to the next request a client pools it for;
- a request whose first bytes came but whose headers are not complete ``keepalive`` seconds
  later gets a 408, as does one whose body is still arriving ``timeout`` seconds after its
  headers did (gunicorn's settings: 5 s and 30 s in ``gunicorn.conf.py``);
- every error the server layer answers itself (400 bad request line or header, 414 over-long URL,
  431, 501, the 408s above) is a JSON ``{"error": "..."}`` like the app's (``app/errors.py``), with
  fixed text, and is logged by the exception's name: gunicorn's own page and log line quote the
  request line, which holds Hat words, and nothing a user types belongs in a log.
"""

from __future__ import annotations

import json
import signal
import ssl
import time
from collections.abc import Callable
from typing import Any

import gevent
import gevent.local
import gevent.socket
from gunicorn import util
from gunicorn.http import errors
from gunicorn.http.body import LengthReader
from gunicorn.workers.ggevent import GeventWorker

from app import coalescing

REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    408: "Request Timeout",
    414: "URI Too Long",
    417: "Expectation Failed",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
}


# gunicorn's statuses for its parse errors, most specific first (its handle_error's choices)
STATUSES: tuple[tuple[type[BaseException], int], ...] = (
    (errors.LimitRequestLine, 414),
    (errors.LimitRequestHeaders, 431),
    (errors.UnsupportedTransferCoding, 501),
    (errors.ExpectationFailed, 417),
    (errors.ForbiddenProxyRequest, 403),
    (errors.InvalidResponseHeader, 500),  # the app's header, not the client's
    (errors.InvalidResponseHeaderName, 500),
    (errors.ConfigurationProblem, 500),
    (errors.ParseException, 400),
    (ssl.SSLError, 403),
)


class RequestTimeout(BaseException):
    """A request did not arrive in time. A BaseException, so that it passes through Flask's
    handlers (which catch Exception and would answer 500) to the worker, which answers 408.
    """


def error_messages(limit_request_line: int) -> dict[int, str]:
    """What each status of the server layer says; never a word of the request."""
    return {
        400: "bad request: the request line or a header is not valid HTTP/1.1",
        403: "forbidden",
        408: "request timeout: the request did not arrive in time",
        414: f"request line too long: at most {limit_request_line} bytes (method, URL, version)",
        417: "expectation failed: only 100-continue is supported",
        431: "request header fields too large",
        500: "internal error",
        501: "transfer coding not supported",
    }


def status_of(exc: BaseException) -> int:
    """The HTTP status the server layer answers ``exc`` with."""
    if isinstance(exc, RequestTimeout):
        return 408
    return next((status for kind, status in STATUSES if isinstance(exc, kind)), 500)


def json_error(status: int, message: str) -> bytes:
    """A whole HTTP/1.1 response carrying ``{"error": message}``, closing the connection."""
    body = json.dumps({"error": message}).encode()
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _ReadDeadline:
    """The wait for one request's headers: ``seconds`` for its first byte (then a silent close),
    ``seconds`` from then for the rest (then :class:`RequestTimeout`).

    The first byte is awaited through gevent's hub even when it is there already: one turn of the
    event loop per request, so every connection with a request waiting is served in turn. A
    greenlet that read a kept-alive connection's next request at once, as gevent's stock worker
    does when the client is quick, served that one client while the others waited (the run log,
    benchmarks/RESULTS.md, has the measurements).
    """

    def __init__(self, sock: Any, buffered: bool, seconds: float) -> None:
        self.sock, self.buffered, self.seconds = sock, buffered, seconds
        self.timer: gevent.Timeout | None = None

    def __enter__(self) -> _ReadDeadline:
        if not self.buffered and self.sock is not None:
            try:
                gevent.socket.wait_read(self.sock.fileno(), timeout=self.seconds)
            except TimeoutError:
                raise StopIteration("idle connection") from None  # the worker closes it
        self.timer = gevent.Timeout(self.seconds, RequestTimeout("headers"))
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.timer is not None:
            self.timer.close()


class _DeadlineBody:
    """A request body whose reads raise :class:`RequestTimeout` once ``deadline`` has passed.

    Each read may wait on the socket for what is left of the time: a socket timeout, which
    gevent arms only when a read has to wait (a body that came with its headers costs nothing).
    """

    def __init__(self, body: Any, sock: Any, deadline: float) -> None:
        self._body, self._sock, self._deadline = body, sock, deadline

    def _left(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise RequestTimeout("body")
        return left

    def _wait_at_most(self, read: Callable[[int | None], Any], size: int | None) -> Any:
        self._sock.settimeout(self._left())
        try:
            return read(size)
        except TimeoutError:
            raise RequestTimeout("body") from None
        finally:
            self._sock.settimeout(None)  # the answer is written without a deadline

    def read(self, size: int | None = None) -> bytes:
        return self._wait_at_most(self._body.read, size)

    def readline(self, size: int | None = None) -> bytes:
        return self._wait_at_most(self._body.readline, size)

    def readlines(self, size: int | None = None) -> list[bytes]:
        return self._wait_at_most(self._body.readlines, size)

    def __iter__(self) -> _DeadlineBody:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._body, name)


def _arrived(body: Any, unreader: Any) -> bool:
    """Whether a body of known length is already in memory, read with its headers (the usual
    small request): reading it cannot wait on the client, so it needs no deadline.
    """
    reader = getattr(body, "reader", None)
    return isinstance(reader, LengthReader) and unreader.buf.getbuffer().nbytes >= reader.length


class ServiceWorker(GeventWorker):
    """gevent's worker with the read deadlines and JSON errors above (gunicorn ``worker_class``
    ``app.worker.ServiceWorker``).
    """

    def init_process(self) -> None:
        """Set up the per-greenlet connection record, then gevent's worker.

        A SIGTERM is honoured from the start: gevent's monkey-patching, which runs before
        gunicorn installs the worker's handlers, is slow with the app preloaded (it reads the
        entry points of every installed distribution), and a stop signal that came meanwhile was
        lost (the master then waited ``graceful_timeout`` and killed the worker).
        """
        signal.signal(signal.SIGTERM, self.handle_exit)
        self._conn = gevent.local.local()  # per greenlet: the connection it serves
        self._messages = error_messages(self.cfg.limit_request_line)
        coalescing.enable()  # this process's event loop runs the views' model work in batches
        super().init_process()

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        """Serve one connection (remembered for :meth:`timeout_ctx`)."""
        self._conn.sock, self._conn.unreader = client, None
        super().handle(listener, client, addr)

    def timeout_ctx(self) -> _ReadDeadline:
        """The deadline around reading each request's headers (see the module's docstring)."""
        unreader = getattr(self._conn, "unreader", None)
        buffered = unreader is not None and len(unreader.buf.getvalue()) > 0
        return _ReadDeadline(getattr(self._conn, "sock", None), buffered, self.cfg.keepalive)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        """One request, its body read under the ``timeout`` deadline."""
        self._conn.unreader = req.unreader
        body = req.body
        if body is not None and not _arrived(body, req.unreader):
            req.body = _DeadlineBody(body, sock, time.monotonic() + self.cfg.timeout)
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            req.body = body  # the parser drains what the app left under the header deadline

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer a request the app never saw (or one that broke the worker) in JSON.

        Replaces gunicorn's handling, whose page and log line quote the request.
        """
        status = status_of(exc)
        ip = (addr or ("-",))[0]
        if status == 408:
            self.log.info("Request timeout (%s) from ip=%s", exc, ip)
        elif status < 500:
            self.log.warning("Invalid request from ip=%s: %s (%d)", ip, type(exc).__name__, status)
        else:
            where = f"{req.method} {req.path}" if req is not None else "(no request line read)"
            self.log.error("Error handling request %s", where, exc_info=exc)
        try:
            util.write_nonblock(client, json_error(status, self._messages[status]))
        except OSError:
            self.log.debug("Failed to send the error answer.")
