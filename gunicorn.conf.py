"""gunicorn settings for every deployment (local, Docker, Heroku, Kubernetes); the Dockerfile's
CMD, the Procfile and the k8s Deployment all start ``gunicorn --config gunicorn.conf.py wsgi:app``.

- ``PORT`` (default 5000) and ``WEB_CONCURRENCY`` (default 2 workers) as Heroku sets them.
- gevent workers (``app/worker.py``): a slow client holds a greenlet, not a worker; requests that
  do not arrive in time get a 408, and the server layer's errors are JSON like the app's.
- The app, with both models, is built once in the master before it forks the workers
  (``preload_app``), so their pages are shared: copy-on-write, kept by freezing the objects out of
  the garbage collector's passes (which would write to every one of them). A worker that dies is
  replaced by a fork of the master, with nothing to load.
- One OpenMP/BLAS thread per worker: numerical libraries otherwise spin a thread per core on
  every small predict and two workers on two cores fight over them.
- Prometheus multiprocess mode: each worker writes its metrics to files in
  ``PROMETHEUS_MULTIPROC_DIR`` (unless set, a fresh dir in ``/dev/shm`` when the machine has
  one, else in the temp dir), and ``/metrics`` sums them.
- The workers' heartbeat files are in ``/dev/shm`` too, as gunicorn's docs advise for containers.
- The access log has the path without the query string: Hat words are user text, and nothing a
  user types belongs in a log (``app/access_log.py`` does not even compute the other atoms).
  Passwords only ever travel in POST bodies, which are not logged.
"""

import gc
import os
import shutil
import tempfile
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# Memory-backed files when the machine has /dev/shm (Docker, Heroku, Linux): the heartbeat
# fchmods a file per request and the metrics are mmapped, and on a disk-backed /tmp either can
# stall a worker while the kernel writes the page back.
_shm = Path("/dev/shm")
worker_tmp_dir = str(_shm) if _shm.is_dir() and os.access(_shm, os.W_OK) else None

_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
        prefix="prometheus-", dir=worker_tmp_dir
    )
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]

bind = f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "app.worker.ServiceWorker"
worker_connections = 1000  # per worker: beyond it a worker stops accepting until one closes
preload_app = True
# a worker silent this long is killed; the longest a request's body may take to arrive (408)
timeout = 30
graceful_timeout = 10
# an idle kept-alive connection is closed after this; a request's headers must arrive within it
keepalive = 5
# no admin socket in $HOME: nothing uses it, and a container home may be read-only
control_socket_disable = True
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = "-"
errorlog = "-"
# %(U)s is the path only; the logger has no atom for the query, headers or environ at all
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = "app.access_log.PathOnlyLogger"


# the master writes the model gauges into it while it preloads the app, before on_starting
Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def on_starting(server):
    """Start from an empty metrics dir: files of a previous run would be summed in. The app is
    preloaded by now, so the master's own files (``*_<pid>.db``) are this run's and stay.
    """
    own = f"_{os.getpid()}.db"
    for path in Path(_metrics_dir).iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif not path.name.endswith(own):
            path.unlink()


def when_ready(server):
    """Freeze what the master built (the app and both models) out of the garbage collector's
    passes: a pass writes to every object it visits, which would copy each page it touches into
    every worker that runs one.
    """
    gc.collect()
    gc.freeze()


def pre_fork(server, worker):
    """Freeze what the master allocated since (a respawn comes later), before each fork."""
    gc.freeze()


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the sums."""
    from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

    GunicornInternalPrometheusMetrics.mark_process_dead_on_child_exit(worker.pid)


def on_exit(server):
    """Remove the metrics dir this config made: in /dev/shm it would hold memory until a reboot.
    A dir given by PROMETHEUS_MULTIPROC_DIR is its owner's to keep.
    """
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
