"""The API's JSON answers, encoded by an encoder prepared once per app.

``jsonify`` builds a ``json.JSONEncoder`` and its settings for every answer; ``/predict`` answers
thousands of times a second and that set-up weighed on it (benchmarks/RESULTS.md has the A/B).
:func:`json_answer` gives the same bytes and headers as ``jsonify``: the encoder has the app's
JSON provider's settings (compact, sorted keys, ``ensure_ascii``, its ``default``), and in debug
mode, where the provider indents, ``jsonify`` answers as it is.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app, jsonify
from flask.json.provider import DefaultJSONProvider


def init_app(app: Flask) -> None:
    """Prepare ``app``'s encoder from its JSON provider, as configured by now."""
    provider = app.json
    encoder = None
    if type(provider) is DefaultJSONProvider and provider.compact is not False:
        encoder = json.JSONEncoder(
            ensure_ascii=provider.ensure_ascii,
            sort_keys=provider.sort_keys,
            separators=(",", ":"),
            default=provider.default,
        )
    app.extensions["json_encoder"] = encoder


def json_answer(body: Any) -> Response:
    """``jsonify(body)``, sooner."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup
    encoder = app.extensions["json_encoder"]
    provider = app.json
    if encoder is None or (provider.compact is None and app.debug):
        return jsonify(body)
    return app.response_class(f"{encoder.encode(body)}\n", mimetype=provider.mimetype)
