"""The slow clients of the resilience checks, against a small server that answers as ours does."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from benchmarks.resilience import KINDS, SlowClients, _request_of


def test_each_kind_sends_a_request_slowly_or_nothing() -> None:
    assert _request_of("idle", "h") == (b"", b"")
    first, slow = _request_of("headers", "h:1")
    assert first == b"" and slow.startswith(b"GET /health HTTP/1.1\r\nHost: h:1\r\n")
    first, slow = _request_of("body", "h")
    assert first.startswith(b"POST /predict") and first.endswith(b"\r\n\r\n")
    assert f"Content-Length: {len(slow)}".encode() in first
    with pytest.raises(ValueError, match="idle, headers, body"):
        _request_of("fast", "h")


@pytest.fixture
def answering_server():
    """Reads what each connection sends, as a server with a read deadline does: a connection that
    sent something gets a 408 half a second after it opened; a silent one is closed without an
    answer after 1 s.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        opened, got = time.perf_counter(), b""
        try:
            while time.perf_counter() - opened < 0.5 or not got:
                conn.settimeout(max(0.01, 1.0 - (time.perf_counter() - opened)))
                chunk = conn.recv(1)
                if not chunk:
                    return
                got += chunk
            conn.sendall(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
            # a graceful close: closing with the client's next byte unread would send a reset,
            # which can reach the client before the answer does
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(1.0)
            while conn.recv(1):
                pass
        except (TimeoutError, OSError):
            pass
        finally:
            conn.close()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    listener.close()


def test_slow_clients_are_held_until_the_server_closes_them(answering_server: str) -> None:
    with SlowClients(answering_server, n=6, interval=0.1) as slow:
        assert slow.held() == 6
        assert slow.wait_closed(timeout=10) < 10
        statuses = slow.statuses()
    assert set(statuses) == set(KINDS)
    assert statuses["idle"] == ["", ""]  # closed without an answer
    for kind in ("headers", "body"):  # sent a byte at a time until the server answered
        assert statuses[kind] == ["HTTP/1.1 408 Request Timeout"] * 2
    assert all(a.startswith(b"HTTP/1.1 408") for a in slow.answers())


def test_a_slow_client_sends_no_faster_than_its_interval(answering_server: str) -> None:
    start = time.perf_counter()
    with SlowClients(answering_server, n=2, interval=0.2) as slow:
        slow.wait_closed(timeout=10)
        headers = [c for c in slow.conns if c.kind == "headers"]
    # the "headers" client sent a byte per 0.2 s until its answer at 0.5 s; the idle one waited 1 s
    assert headers and time.perf_counter() - start >= 0.4
