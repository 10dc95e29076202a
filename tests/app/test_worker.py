"""The gunicorn worker (``app/worker.py``) as the image runs it: slow clients, read deadlines,
the server layer's errors in JSON, a killed worker.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from gunicorn.http import errors
from gunicorn.http.body import Body, ChunkedReader, LengthReader
from gunicorn.http.unreader import Unreader

from app.worker import RequestTimeout, _arrived, error_messages, json_error, status_of
from benchmarks.resilience import SlowClients, answer_times, kill_a_worker, worker_pids
from tests.live import Server, start_image_command

SECRET_WORD = "zebrasecretword"


def _parse(raw: bytes) -> tuple[int, dict[str, str], dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    assert int(headers["Content-Length"]) == len(body)
    return int(status_line.split()[1]), headers, json.loads(body)


def _exchange(server: Server, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` at once and read until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as conn:
        conn.sendall(data)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


@pytest.fixture(scope="module")
def quick_server(models_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The image's command with short deadlines: 1 s keep-alive (the header deadline), 3 s for a
    body.
    """
    log = tmp_path_factory.mktemp("worker") / "server.log"
    server = start_image_command(models_dir, log, ["--keep-alive", "1", "--timeout", "3"])
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def test_statuses_follow_gunicorns_choices() -> None:
    assert status_of(errors.LimitRequestLine(5000, 4094)) == 414
    assert status_of(errors.InvalidRequestLine("x")) == 400
    assert status_of(errors.InvalidHeader("x")) == 400
    assert status_of(errors.LimitRequestHeaders("x")) == 431
    assert status_of(errors.InvalidResponseHeader("x")) == 500
    assert status_of(RequestTimeout("headers")) == 408
    assert status_of(ValueError("a bug")) == 500


def test_only_a_body_wholly_in_memory_goes_without_a_deadline() -> None:
    unreader = Unreader()
    unreader.unread(b'{"password":"x"}')
    assert _arrived(Body(LengthReader(unreader, 16)), unreader)
    assert _arrived(Body(LengthReader(unreader, 0)), unreader)
    assert not _arrived(Body(LengthReader(unreader, 17)), unreader)  # a byte is still to come
    assert not _arrived(Body(ChunkedReader(None, unreader)), unreader)  # no known length


def test_json_error_is_a_whole_http_answer_that_closes() -> None:
    status, headers, body = _parse(json_error(408, "too slow"))
    assert status == 408 and body == {"error": "too slow"}
    assert headers["Content-Type"] == "application/json" and headers["Connection"] == "close"
    assert set(error_messages(4094)) >= {400, 408, 414, 431, 500}


def test_server_layer_errors_are_json_and_never_quote_the_request(
    quick_server: Server, tmp_path: Path
) -> None:
    r = requests.get(
        quick_server.url + "/guess", params={"words": [SECRET_WORD] * 3000, "n_words": 3}
    )
    assert r.status_code == 414
    assert r.json() == {"error": error_messages(4094)[414]}
    cases = {
        f"GET /guess?words={SECRET_WORD} HTTP/1.1 extra\r\n\r\n".encode(): 400,
        f"GET /health HTTP/1.1\r\nHost: x\r\n{SECRET_WORD}\r\n\r\n".encode(): 400,
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n": 431,
    }
    for request, expected in cases.items():
        status, headers, body = _parse(_exchange(quick_server, request))
        assert status == expected
        assert set(body) == {"error"} and SECRET_WORD not in body["error"]
        assert headers["X-Content-Type-Options"] == "nosniff"
    log = quick_server.log.read_text()
    assert "Invalid request from ip=127.0.0.1: LimitRequestLine (414)" in log
    assert log.count("Invalid request from ip=127.0.0.1: ") == 1 + len(cases)
    assert SECRET_WORD not in log


def test_headers_that_do_not_arrive_in_time_get_a_408(quick_server: Server) -> None:
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=10) as conn:
        for byte in b"GET /health HTTP/1.1\r\nHost: x\r\n":  # one byte every 0.1 s
            try:
                conn.send(bytes([byte]))
            except OSError:
                break  # the server answered and closed
            time.sleep(0.1)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status, _, body = _parse(answer)
    assert status == 408 and body == {"error": error_messages(4094)[408]}
    assert 1.0 <= time.perf_counter() - start < 5  # the 1 s deadline from the first byte


def test_a_body_that_does_not_arrive_in_time_gets_a_408(quick_server: Server) -> None:
    head = b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=10) as conn:
        conn.sendall(head + b"Content-Length: 40\r\n\r\n" + b'{"password": ')
        answer = b""
        while chunk := conn.recv(65536):  # nothing more is sent: the 3 s deadline passes
            answer += chunk
    status, _, body = _parse(answer)
    assert status == 408 and body == {"error": error_messages(4094)[408]}
    # the worker that answered is the same one: no 500, no worker lost
    assert requests.get(quick_server.url + "/health", timeout=5).status_code == 200


def test_an_idle_connection_is_closed_without_an_answer(quick_server: Server) -> None:
    """A 408 there would be read as the answer to the next request a client pools it for."""
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=10) as conn:
        start = time.perf_counter()
        assert conn.recv(65536) == b""
    assert 0.9 <= time.perf_counter() - start < 5


def test_a_kept_alive_connection_serves_requests_one_after_another(quick_server: Server) -> None:
    with requests.Session() as session:
        for _ in range(3):
            assert session.get(quick_server.url + "/health", timeout=5).status_code == 200
        r = session.post(quick_server.url + "/predict", json={"password": "x1"}, timeout=5)
        assert r.status_code == 200 and r.headers.get("Connection") != "close"


@pytest.mark.slow
def test_fifty_slow_clients_do_not_stall_the_service(live_server: Server) -> None:
    """With sync workers two such clients stalled /health for over 10 s; the benchmark holds the
    service to 500 ms, this test to a bound no machine here should miss.
    """
    with SlowClients(live_server.url, n=50) as slow:
        time.sleep(0.5)
        times = answer_times(live_server.url, n=10, timeout=10)
        assert slow.held() == 50  # they were all still being served slowly meanwhile
    assert max(times["/health"]) < 2000 and max(times["/predict"]) < 2000, times


@pytest.mark.slow
def test_a_killed_worker_costs_no_5xx_and_is_replaced(live_server: Server) -> None:
    url = live_server.url
    statuses: Counter[int | str] = Counter()
    stop = threading.Event()

    def load(i: int) -> None:
        while not stop.is_set():
            try:  # a fresh connection each: only requests in flight when the worker dies fail
                r = requests.post(url + "/predict", json={"password": f"kill-{i}"}, timeout=10)
                statuses[r.status_code] += 1
            except requests.RequestException:  # reset, or cut off inside the answer
                statuses["connection error"] += 1

    def predictions() -> float:
        text = requests.get(url + "/metrics", timeout=5).text
        (line,) = [
            x
            for x in text.splitlines()
            if x.startswith("password_predicted_frequency") and "_count " in x
        ]
        return float(line.split()[-1])

    counted_before = predictions()
    threads = [threading.Thread(target=load, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    victim = worker_pids(live_server.proc.pid)[0]
    timing = kill_a_worker(live_server.proc.pid, url)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(timeout=20)
    assert timing["healthy_after_s"] < 2 and timing["replaced_after_s"] < 5, timing
    assert victim not in worker_pids(live_server.proc.pid)
    assert len(worker_pids(live_server.proc.pid)) == 2
    assert not [s for s in statuses if isinstance(s, int) and s >= 500], statuses
    assert statuses[200] > 0 and statuses["connection error"] <= len(threads), statuses
    # the dead worker's counts stay in the sums; the ones it counted but never answered too
    counted = predictions() - counted_before
    assert statuses[200] <= counted <= statuses[200] + statuses["connection error"]
    assert live_server.proc.poll() is None  # the master lived through it
