from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from tests.app.conftest import models_dir  # the service's fixture: both models, trained small

__all__ = ["models_dir"]


@pytest.fixture(scope="session")
def exported_metrics(models_dir: Path, player) -> set[str]:
    """Every sample name the app's /metrics serves after each kind of request (a fresh app)."""
    client = create_app({"models_dir": models_dir}).test_client()
    word = player.words[0]
    client.post("/predict", json={"password": "hunter2"})
    client.post("/predict", json={"password": 1})  # 400
    client.get(f"/explain?word={word}&n_words=3")
    client.get(f"/guess?words={word}&words=qqxunknown&n_words=3")
    client.get("/health")
    client.get("/no/such/path")
    text = client.get("/metrics").get_data(as_text=True)
    return {
        m.group(1)
        for line in text.splitlines()
        if (m := re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", line))
    }


@pytest.fixture(scope="session")
def exported_le_values(models_dir: Path) -> dict[str, set[str]]:
    """The ``le`` label values each histogram's buckets carry, as the exporter spells them."""
    client = create_app({"models_dir": models_dir}).test_client()
    client.post("/predict", json={"password": "hunter2"})
    text = client.get("/metrics").get_data(as_text=True)
    found: dict[str, set[str]] = {}
    for m in re.finditer(r'^(\w+_bucket)\{.*le="([^"]+)"', text, flags=re.MULTILINE):
        found.setdefault(m.group(1), set()).add(m.group(2))
    return found
