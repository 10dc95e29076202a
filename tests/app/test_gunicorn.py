"""The service as deployed: gunicorn with the image's command, two workers, real HTTP."""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from pipeline.config import ROOT
from tests.live import (
    Server,
    dockerfile_command,
    free_port,
    procfile_command,
    start_image_command,
)

SECRETS = ("Zq7!live-secret-one", "hunter2-live-Secret")


def test_host_remote_player_protocol(live_server, player) -> None:
    """Exactly the calls the-hat-game host's remote player makes, with its 1 s timeout."""
    url = live_server.url
    word = player.words[0]
    for n in (1, 5, 10):
        start = time.perf_counter()
        r = requests.get(url + "/explain", {"word": word, "n_words": n}, timeout=1)
        assert time.perf_counter() - start < 1
        clues = r.json()
        assert r.status_code == 200 and isinstance(clues, list) and len(clues) == n
        assert all(isinstance(c, str) for c in clues)
        r = requests.get(url + "/guess", {"words": clues, "n_words": n}, timeout=1)
        guesses = r.json()
        assert r.status_code == 200 and isinstance(guesses, list) and len(guesses) == n
        assert all(isinstance(g, str) for g in guesses)
    # a word the model never saw still answers a list, as the host requires
    r = requests.get(url + "/explain", {"word": "Qzxv-Ünknown", "n_words": 3}, timeout=1)
    assert r.status_code == 200 and isinstance(r.json(), list)


def test_concurrent_requests_get_the_answers_they_get_alone(live_server, player) -> None:
    """Requests that arrive together are batched by the worker (app/coalescing.py): each still
    gets its own answer, the one it gets when it comes alone.
    """
    url = live_server.url
    passwords = [f"Concurrent{i}!pw" for i in range(24)] + ["password1", "123456"]
    clue_lists = [player.words[i : i + 1 + i % 4] for i in range(0, 72, 3)]

    def predict(password: str) -> dict:
        r = requests.post(url + "/predict", json={"password": password}, timeout=10)
        assert r.status_code == 200
        return r.json()

    def guess(words: list[str]) -> list[str]:
        r = requests.get(url + "/guess", {"words": words, "n_words": 5}, timeout=10)
        assert r.status_code == 200
        return r.json()

    alone = [predict(p) for p in passwords], [guess(w) for w in clue_lists]
    with ThreadPoolExecutor(max_workers=24) as pool:
        together = list(pool.map(predict, passwords)), list(pool.map(guess, clue_lists))
    assert together == alone


def test_metrics_are_summed_across_workers(live_server) -> None:
    url = live_server.url

    def count(text: str, name: str) -> float:
        m = re.search(rf"^{name} (\S+)$", text, flags=re.MULTILINE)
        return float(m.group(1)) if m else 0.0

    before = count(
        requests.get(url + "/metrics").text, "password_predicted_frequency_per_million_count"
    )
    for i in range(40):  # a new connection each: the requests spread over both workers
        r = requests.post(url + "/predict", json={"password": f"pw{i}-x"}, timeout=5)
        assert r.status_code == 200
    text = requests.get(url + "/metrics").text
    assert count(text, "password_predicted_frequency_per_million_count") == before + 40
    assert 'model_info{model="hat"' in text and 'model_info{model="passwords"' in text
    assert "pw1-x" not in text


def test_no_password_or_query_in_the_logs(models_dir, tmp_path) -> None:
    server = start_image_command(models_dir, tmp_path / "server.log", LOG_LEVEL="debug")
    try:
        server.wait_healthy()
        url = server.url
        for secret in SECRETS:
            requests.post(url + "/predict", json={"password": secret}, timeout=5)
            requests.post(url + "/predict", json={"passwords": [secret, "x"]}, timeout=5)
            requests.post(url + "/", data={"form": "password", "password": secret}, timeout=5)
            requests.post(url + "/predict", json={"password": secret * 40}, timeout=5)  # too long
            requests.post(url + "/predict", data=secret, timeout=5)  # not JSON
            requests.get(url + "/predict", params={"password": secret}, timeout=5)  # 405
        requests.get(url + "/explain", params={"word": "secretword", "n_words": 2}, timeout=5)
    finally:
        log = server.stop()
    assert '"POST /predict HTTP/1.1" 200' in log and '"GET /explain HTTP/1.1" 200' in log
    for secret in SECRETS:
        assert secret not in log
    assert "secretword" not in log and "password=" not in log


def test_procfile_command_serves(models_dir, tmp_path) -> None:
    env = {**os.environ, "PORT": str(free_port()), "MODELS_DIR": str(models_dir)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = Server(procfile_command(), env, tmp_path / "procfile.log")
    try:
        server.wait_healthy()
        assert requests.get(server.url + "/health", timeout=2).json()["status"] == "ok"
    finally:
        server.stop()
    # SIGTERM (what Heroku sends) stops the whole server: nothing answers on the port any more
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/health", timeout=2)


def test_heartbeat_and_metrics_files_live_in_memory_and_go_at_exit(monkeypatch) -> None:
    """gunicorn touches its heartbeat file on every request and the metrics are mmapped: on a
    disk-backed /tmp either can wait for a page write-back."""
    import runpy
    import shutil
    from pathlib import Path

    # the config sets env vars: let it set them in a copy, not in this process's environment
    monkeypatch.setattr(os, "environ", dict(os.environ))
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    try:
        shm = Path("/dev/shm")
        if shm.is_dir() and os.access(shm, os.W_OK):
            assert conf["worker_tmp_dir"] == "/dev/shm"
            assert metrics_dir.parent == shm
        else:
            assert conf["worker_tmp_dir"] is None
        assert metrics_dir.is_dir()
        conf["on_exit"](None)  # the dir it made goes with the server
        assert not metrics_dir.exists()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


# flags that would change how the service is served: each start command leaves them to the config
SERVING_FLAGS = ("-k", "--worker-class", "--threads", "--preload", "-w", "--workers", "-c")


def test_every_start_command_serves_through_the_config() -> None:
    """The image (Dockerfile, heroku.yml, docker-compose, the k8s Deployment) and the buildpack
    (Procfile) all run the config's serving model: gevent workers, the app preloaded."""
    for command in (dockerfile_command(), procfile_command().split()):
        assert command[:3] == ["gunicorn", "--config", "gunicorn.conf.py"], command
        assert command[-1] == "wsgi:app"
        assert not set(command) & set(SERVING_FLAGS), command


def test_the_config_preloads_the_app_into_gevent_workers(monkeypatch, tmp_path) -> None:
    import gc
    import runpy

    monkeypatch.setattr(os, "environ", dict(os.environ))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["worker_class"] == "app.worker.ServiceWorker"
    assert conf["preload_app"] is True
    try:
        conf["when_ready"](None)
        assert gc.get_freeze_count() > 0  # the master's objects stay out of the workers' gc
    finally:
        gc.unfreeze()


def test_a_new_run_drops_old_metrics_but_keeps_what_the_preload_wrote(monkeypatch, tmp_path):
    import runpy

    monkeypatch.setattr(os, "environ", dict(os.environ))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    old, own = tmp_path / "counter_1.db", tmp_path / f"gauge_max_{os.getpid()}.db"
    old.write_bytes(b"x")
    own.write_bytes(b"x")
    conf["on_starting"](None)
    assert not old.exists() and own.exists()
