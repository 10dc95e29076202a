"""Metric names and values as MLflow takes them."""

from __future__ import annotations

from pipeline.runs.names import metric_key, put_metric


def test_metric_names_are_ones_mlflow_accepts() -> None:
    assert (
        metric_key("passwords", "test", "constant (RMSLE-optimal)", "rmsle")
        == "passwords.test.constant_rmsle-optimal.rmsle"
    )
    assert metric_key("hat", "nouns_top_50", "ours -> w2v_raw", "guessed_rate") == (
        "hat.nouns_top_50.ours_to_w2v_raw.guessed_rate"
    )


def test_only_finite_numbers_become_metrics() -> None:
    metrics: dict[str, float] = {}
    for key, value in (("a", 1), ("b", None), ("c", float("nan")), ("d", True), ("e", "x")):
        put_metric(metrics, key, value)
    assert metrics == {"a": 1.0, "d": 1.0}
