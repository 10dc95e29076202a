"""The API contract as OpenAPI 3.0, served at ``/openapi.json`` and fuzzed by the tests.

Written by hand rather than generated: the document is the contract, and a test drives the app
with it (schemathesis), so the code cannot drift from what it says.
"""

from __future__ import annotations

from typing import Any

from app.inputs import MAX_N_WORDS
from pipeline.passwords.strength import BANDS


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = {"$ref": "#/components/schemas/Error"}
WORD_LIST = {"type": "array", "items": {"type": "string"}}
N_WORDS = {
    "name": "n_words",
    "in": "query",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_N_WORDS},
    "description": "How many words to answer with.",
}


# One password as the API answers it (pipeline/passwords: guesses.py, feedback.py)
ASSESSMENT = {
    "type": "object",
    "required": ["frequency_per_million", "strength", "guesses", "guesses_log10", "feedback"],
    "properties": {
        "frequency_per_million": {"type": "number", "minimum": 0},
        "strength": {"type": "string", "enum": [b[1] for b in BANDS]},
        "guesses": {
            "type": "number",
            "minimum": 1,
            "description": "Expected guesses of an attacker trying leaked passwords from the "
            "most common down (the rank in the leak's order; beyond the list, extrapolated).",
        },
        "guesses_log10": {"type": "number", "minimum": 0},
        "feedback": {
            "type": "object",
            "required": ["warning", "suggestions"],
            "properties": {
                "warning": {"type": "string", "nullable": True},
                "suggestions": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


def spec(max_password_chars: int, max_batch: int) -> dict[str, Any]:
    """The OpenAPI document for the configured limits."""
    password = {"type": "string", "minLength": 1, "maxLength": max_password_chars}
    bad = _json(ERROR, "The input is unusable; the message names the problem.")
    unavailable = _json(ERROR, "The model is not loaded; the message says why.")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Password complexity and Hat bot",
            "version": "1",
            "description": "Passwords go in POST bodies only and are never echoed or logged.",
        },
        "paths": {
            "/predict": {
                "post": {
                    "summary": "Predict how often passwords occur per million leaked ones",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {
                                            "type": "object",
                                            "required": ["password"],
                                            "not": {"required": ["passwords"]},
                                            "properties": {"password": password},
                                        },
                                        {
                                            "type": "object",
                                            "required": ["passwords"],
                                            "not": {"required": ["password"]},
                                            "properties": {
                                                "passwords": {
                                                    "type": "array",
                                                    "items": password,
                                                    "minItems": 1,
                                                    "maxItems": max_batch,
                                                }
                                            },
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Prediction"},
                                    {"$ref": "#/components/schemas/Predictions"},
                                ]
                            },
                            "One prediction, or one per password in input order.",
                        ),
                        "400": bad,
                        "413": _json(ERROR, "The body is larger than the limit."),
                        "503": unavailable,
                    },
                }
            },
            "/explain": {
                "get": {
                    "summary": "Explain a word with clues (the Hat host's protocol)",
                    "parameters": [
                        {
                            "name": "word",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "pattern": r"\S"},
                        },
                        N_WORDS,
                    ],
                    "responses": {
                        "200": _json(WORD_LIST, "Clues, most telling first."),
                        "400": bad,
                        "503": unavailable,
                    },
                }
            },
            "/guess": {
                "get": {
                    "summary": "Guess the word from clues (the Hat host's protocol)",
                    "parameters": [
                        {
                            "name": "words",
                            "in": "query",
                            "required": True,
                            "style": "form",
                            "explode": True,
                            "schema": {
                                "type": "array",
                                "items": {"type": "string", "pattern": r"\S"},
                                "minItems": 1,
                            },
                            "description": "The clues; blank ones are ignored.",
                        },
                        N_WORDS,
                    ],
                    "responses": {
                        "200": _json(WORD_LIST, "Guesses, best first."),
                        "400": bad,
                        "503": unavailable,
                    },
                }
            },
            "/health": {
                "get": {
                    "summary": "Whether both models are loaded",
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Health"}, "Both loaded."),
                        "503": _json({"$ref": "#/components/schemas/Health"}, "A model is not."),
                    },
                }
            },
            "/version": {
                "get": {
                    "summary": "Each model's version, data, code commit and parameters",
                    "responses": {"200": _json({"type": "object"}, "Per model.")},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Assessment": ASSESSMENT,
                "Prediction": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Assessment"},
                        {
                            "type": "object",
                            "required": ["model_version"],
                            "properties": {"model_version": {"type": "string"}},
                        },
                    ]
                },
                "Predictions": {
                    "type": "object",
                    "required": ["predictions", "model_version"],
                    "properties": {
                        "predictions": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Assessment"},
                        },
                        "model_version": {"type": "string"},
                    },
                },
                "Health": {
                    "type": "object",
                    "required": ["status", "models"],
                    "properties": {
                        "status": {"type": "string", "enum": ["ok", "unavailable"]},
                        "models": {"type": "object"},
                        "reason": {"type": "object"},
                    },
                },
            }
        },
    }
