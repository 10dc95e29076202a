"""The service against slow clients and a killed worker: what ``service_load`` and the tests run.

:class:`SlowClients` holds connections that send a request slowly or not at all, as a scanner,
a broken opponent or a phone on a bad line does: ``idle`` ones connect and send nothing,
``headers`` ones send a request's headers a byte at a time, ``body`` ones send the headers of a
``POST /predict`` at once and its body a byte at a time. Meanwhile :func:`answer_times` asks
``/health`` and ``/predict`` on fresh connections and times each answer.

:func:`kill_a_worker` sends SIGKILL to one gunicorn worker (as the kernel's OOM killer would) and
times how soon ``/health`` answers on a fresh connection and how soon the master has replaced it.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

PREDICT_BODY = b'{"password": "slow-client-42"}'
KINDS = ("idle", "headers", "body")


def _request_of(kind: str, host: str) -> tuple[bytes, bytes]:
    """(sent at once, sent a byte at a time) for one slow client of ``kind``."""
    if kind == "idle":
        return b"", b""
    if kind == "headers":
        head = f"GET /health HTTP/1.1\r\nHost: {host}\r\nX-Slow: {'a' * 100}\r\n\r\n"
        return b"", head.encode()
    if kind == "body":
        head = (
            f"POST /predict HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(PREDICT_BODY)}\r\n\r\n"
        )
        return head.encode(), PREDICT_BODY
    raise ValueError(f"unknown slow client kind {kind!r}; the kinds are {', '.join(KINDS)}")


@dataclass
class _Conn:
    kind: str
    sock: socket.socket
    pending: bytes
    opened: float
    closed: float | None = None  # when the server closed it
    answer: bytes = b""  # what the server sent before closing (a 408, say)


@dataclass
class SlowClients:
    """``n`` slow connections to ``url`` (the kinds in turn), trickling a byte each
    ``interval`` seconds from a background thread while the ``with`` block runs.
    """

    url: str
    n: int = 50
    interval: float = 0.5
    conns: list[_Conn] = field(default_factory=list)

    def __enter__(self) -> SlowClients:
        parts = urlsplit(self.url)
        address = (parts.hostname or "127.0.0.1", parts.port or 80)
        for i in range(self.n):
            kind = KINDS[i % len(KINDS)]
            first, pending = _request_of(kind, parts.netloc)
            sock = socket.create_connection(address, timeout=5)
            if first:
                sock.sendall(first)
            sock.setblocking(False)
            self.conns.append(_Conn(kind, sock, pending, time.perf_counter()))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()
        return self

    def _trickle(self) -> None:
        while not self._stop.is_set():
            self._read_answers(timeout=self.interval)
            for c in self.conns:
                if c.closed is None and c.pending:
                    try:
                        c.sock.send(c.pending[:1])
                        c.pending = c.pending[1:]
                    except OSError:
                        c.closed = time.perf_counter()

    def _read_answers(self, timeout: float) -> None:
        open_socks = [c.sock for c in self.conns if c.closed is None]
        if not open_socks:
            self._stop.wait(timeout)
            return
        readable, _, _ = select.select(open_socks, [], [], timeout)
        for c in self.conns:
            if c.sock in readable:
                try:
                    data = c.sock.recv(65536)
                except OSError:
                    data = b""
                c.answer += data
                if not data:
                    c.closed = time.perf_counter()

    def held(self) -> int:
        """How many connections the server still holds open."""
        return sum(c.closed is None for c in self.conns)

    def statuses(self) -> dict[str, list[str]]:
        """Per kind, the status line each closed connection got ("" when closed silently)."""
        out: dict[str, list[str]] = {k: [] for k in KINDS}
        for c in self.conns:
            if c.closed is not None:
                out[c.kind].append(c.answer.split(b"\r\n", 1)[0].decode("latin-1"))
        return out

    def answers(self) -> list[bytes]:
        """The whole answers the server sent before closing, where it sent any."""
        return [c.answer for c in self.conns if c.answer]

    def wait_closed(self, timeout: float) -> float:
        """Seconds until the server has closed every connection (``timeout`` at most)."""
        start = time.perf_counter()
        while self.held() and time.perf_counter() - start < timeout:
            time.sleep(0.05)
        return time.perf_counter() - start

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for c in self.conns:
            c.sock.close()


def answer_times(url: str, n: int = 20, timeout: float = 15.0) -> dict[str, list[float]]:
    """Milliseconds each of ``n`` ``GET /health`` and ``n`` ``POST /predict`` took, each on a
    fresh connection (as a new client would come), alternating; a failed one raises.
    """
    times: dict[str, list[float]] = {"/health": [], "/predict": []}
    for i in range(n):
        for path in times:
            start = time.perf_counter()
            if path == "/health":
                r = requests.get(url + path, timeout=timeout)
            else:
                r = requests.post(url + path, json={"password": f"answer-{i}"}, timeout=timeout)
            r.raise_for_status()
            times[path].append((time.perf_counter() - start) * 1000)
    return times


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn master's children: its workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(p) for p in children.read_text().split()]


def kill_a_worker(master_pid: int, url: str, timeout: float = 10.0) -> dict[str, float]:
    """SIGKILL one worker, then time (seconds from the kill) the first ``200`` from ``/health``
    on a fresh connection and the moment the master runs as many workers as before, the new one
    included.
    """
    before = worker_pids(master_pid)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed = time.perf_counter()
    healthy = replaced = None
    while time.perf_counter() - killed < timeout and (healthy is None or replaced is None):
        if healthy is None:
            try:
                if requests.get(url + "/health", timeout=0.5).status_code == 200:
                    healthy = time.perf_counter() - killed
            except (requests.ConnectionError, requests.Timeout):
                pass
        if replaced is None:
            now = worker_pids(master_pid)
            if victim not in now and len(now) == len(before):
                replaced = time.perf_counter() - killed
        time.sleep(0.01)
    return {
        "victim": float(victim),
        "healthy_after_s": float("inf") if healthy is None else healthy,
        "replaced_after_s": float("inf") if replaced is None else replaced,
    }
