"""gunicorn settings for every deployment (local, Docker, Heroku); all overridable by env vars.

- ``PORT`` (default 5000) and ``WEB_CONCURRENCY`` (default 2 workers) as Heroku sets them.
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
worker_class = "sync"
timeout = 30
graceful_timeout = 10
keepalive = 5
# no admin socket in $HOME: nothing uses it, and a container home may be read-only
control_socket_disable = True
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = "-"
errorlog = "-"
# %(U)s is the path only; the logger has no atom for the query, headers or environ at all
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = "app.access_log.PathOnlyLogger"


def on_starting(server):
    """Start from an empty metrics dir: files of a previous run would be summed in."""
    folder = Path(_metrics_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


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
