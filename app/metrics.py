"""Prometheus metrics: HTTP traffic through prometheus-flask-exporter, plus the models' own.

Under gunicorn every worker is a process, so counters live in files under
``PROMETHEUS_MULTIPROC_DIR`` (set by ``gunicorn.conf.py``) and ``/metrics`` sums them across
workers. Without that variable (tests, ``flask run``) the app keeps a private registry, so several
apps in one process do not collide.

Labels hold only values the service chooses (a URL rule, a status, a model name and version, a
call kind); never a password, a word or a raw path. Requests with a method outside the HTTP set
are not counted, so a client cannot create label values either.
"""

from __future__ import annotations

import calendar
import os
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_flask_exporter import PrometheusMetrics

from app.model_store import Models

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# request latency buckets (seconds): fine below 50 ms, where the service should live
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# predicted frequency per million: one bucket per decade, strong passwords sit below 0.1
FREQUENCY_BUCKETS = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)


@dataclass(frozen=True)
class ModelMetrics:
    """The service's own metrics, recorded by the views."""

    predicted_frequency: Histogram
    hat_calls: Counter
    hat_words: Counter
    hat_unknown_words: Counter

    def observe_predictions(self, frequencies: list[float]) -> None:
        """One observation per password predicted (a batch counts each)."""
        for f in frequencies:
            self.predicted_frequency.observe(f)

    def observe_hat(self, kind: str, n_words: int, n_unknown: int) -> None:
        """One call of ``kind`` (explain or guess) with its input words, some unknown."""
        self.hat_calls.labels(kind=kind).inc()
        self.hat_words.labels(kind=kind).inc(n_words)
        if n_unknown:
            self.hat_unknown_words.labels(kind=kind).inc(n_unknown)


def _created_timestamp(created_at: str | None) -> float:
    if not created_at:
        return 0.0
    return float(calendar.timegm(time.strptime(created_at, "%Y-%m-%dT%H:%M:%SZ")))


def init_app(app: Flask, models: Models) -> None:
    """Wire the exporter and the model metrics into ``app``, served at ``/metrics``."""
    multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    common = {
        "group_by": "url_rule",  # '/predict', or 'None' for an unknown path: never user text
        "buckets": LATENCY_BUCKETS,
    }
    if multiprocess:
        from prometheus_flask_exporter.multiprocess import GunicornInternalPrometheusMetrics

        exporter: PrometheusMetrics = GunicornInternalPrometheusMetrics(app, **common)
        registry = None  # values go to the shared files; the collector reads them all
    else:
        registry = CollectorRegistry()
        exporter = PrometheusMetrics(app, registry=registry, **common)

    @app.before_request
    def _skip_unknown_methods() -> None:
        if request.method not in HTTP_METHODS:
            request.prom_do_not_track = True  # type: ignore[attr-defined]

    def gauge(name: str, doc: str, labels: tuple[str, ...]) -> Gauge:
        return Gauge(name, doc, labels, registry=registry, multiprocess_mode="max")

    info = gauge("model_info", "Production model versions served (value 1)", ("model", "version"))
    load = gauge("model_load_seconds", "Time to load each model at start-up", ("model",))
    created = gauge(
        "model_created_timestamp_seconds", "When the served model was trained", ("model",)
    )
    for name, version in models.versions.items():
        info.labels(model=name, version=version or "none").set(1)
        load.labels(model=name).set(models.load_seconds.get(name, 0.0))
        created.labels(model=name).set(
            _created_timestamp(models.metadata.get(name, {}).get("created_at"))
        )

    app.extensions["model_metrics"] = ModelMetrics(
        predicted_frequency=Histogram(
            "password_predicted_frequency_per_million",
            "Predicted occurrences per million leaked passwords, one per password",
            buckets=FREQUENCY_BUCKETS,
            registry=registry,
        ),
        hat_calls=Counter("hat_calls_total", "Hat calls by kind", ("kind",), registry=registry),
        hat_words=Counter(
            "hat_input_words_total", "Words received by Hat calls", ("kind",), registry=registry
        ),
        hat_unknown_words=Counter(
            "hat_unknown_words_total",
            "Words received by Hat calls that the model does not know",
            ("kind",),
            registry=registry,
        ),
    )
    app.extensions["prometheus"] = exporter


def model_metrics() -> ModelMetrics:
    """The current app's model metrics."""
    return current_app.extensions["model_metrics"]
