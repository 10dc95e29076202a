from __future__ import annotations

import re

from app import create_app

SECRET = "Zq7!metrics-secret"


def _samples(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of one metric in the Prometheus text format."""
    found = {}
    for line in text.splitlines():
        m = re.match(rf"^{name}(\{{[^}}]*\}})? (\S+)$", line)
        if m:
            found[m.group(1) or ""] = float(m.group(2))
    return found


def test_metrics_after_traffic(models_dir, player) -> None:
    app = create_app({"models_dir": models_dir})  # a fresh registry: counts start at zero
    client = app.test_client()
    client.post("/predict", json={"password": SECRET})
    client.post("/predict", json={"passwords": ["123456", SECRET]})
    client.post("/", data={"form": "password", "password": SECRET})
    known = player.words[0]
    client.get(f"/explain?word={known}&n_words=3")
    client.get("/explain?word=zzxqvunknown&n_words=3")
    client.get(f"/guess?words={known}&words=qqxunknownclue&n_words=3")
    client.get("/no/such/path/with/user/text")
    text = client.get("/metrics").get_data(as_text=True)

    assert _samples(text, "password_predicted_frequency_per_million_count") == {"": 4.0}
    assert _samples(text, "hat_calls_total") == {
        '{kind="explain"}': 2.0,
        '{kind="guess"}': 1.0,
    }
    assert _samples(text, "hat_input_words_total")['{kind="guess"}'] == 2.0
    assert _samples(text, "hat_unknown_words_total") == {
        '{kind="explain"}': 1.0,
        '{kind="guess"}': 1.0,
    }
    versions = app.extensions["models"].versions
    info = _samples(text, "model_info")
    for name, version in versions.items():
        assert info[f'{{model="{name}",version="{version}"}}'] == 1.0
    assert set(_samples(text, "model_load_seconds")) == {'{model="passwords"}', '{model="hat"}'}
    assert all(v > 1.5e9 for v in _samples(text, "model_created_timestamp_seconds").values())

    latency = _samples(text, "flask_http_request_duration_seconds_count")
    assert latency['{method="POST",status="200",url_rule="/predict"}'] == 2.0
    assert latency['{method="GET",status="404",url_rule="None"}'] == 1.0
    # no user-supplied text anywhere in the exposition
    for text_in in (SECRET, "123456", "zzxqvunknown", "qqxunknownclue", "user/text"):
        assert text_in not in text


def test_odd_methods_do_not_create_label_values(models_dir) -> None:
    client = create_app({"models_dir": models_dir}).test_client()
    r = client.open("/predict", method="BREW")
    assert r.status_code == 405
    assert "BREW" not in client.get("/metrics").get_data(as_text=True)
