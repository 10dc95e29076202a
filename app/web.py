"""The web page for people: a password check and the Hat bot, in plain HTML forms.

Every form POSTs, so a password never reaches a URL, a browser history or an access log. No
JavaScript: the page works in any browser and the CSP can forbid scripts. Jinja escapes all
output; bad input is shown on the page with a 400 status, not as JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request

from app import inputs, service
from app.errors import BadInputError, ModelUnavailableError
from pipeline.passwords.guesses import in_words
from pipeline.passwords.strength import BANDS, band

web = Blueprint("web", __name__, template_folder="templates", static_folder="static")
DEFAULT_N_WORDS = 5
METER = {"very weak": 1, "weak": 2, "fair": 3, "strong": 4}  # bars lit on the page's meter


@web.app_template_filter("frequency")
def format_frequency(value: float) -> str:
    """Three significant digits without exponents: 8,920 / 12.3 / 0.00421."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:#.3g}".rstrip(".") if value >= 0.001 else "less than 0.001"


def _page(status: int = 200, **context: Any):
    context.setdefault("n_words", DEFAULT_N_WORDS)
    limit = current_app.config["SETTINGS"].max_password_chars
    return render_template("index.html", bands=BANDS, max_password=limit, **context), status


@web.get("/")
def index():
    """The empty page."""
    return _page()


@web.post("/")
def submit():
    """One of the three forms, told apart by its ``form`` field."""
    form = request.form.get("form", "")
    handlers = {"password": _password, "explain": _explain, "guess": _guess}
    if form not in handlers:
        return _page(400, error="Unknown form: reload the page and try again.")
    try:
        return _page(**handlers[form]())
    except BadInputError as exc:
        return _page(400, error=str(exc).replace('"password"', "The password"), form=form)
    except ModelUnavailableError as exc:
        return _page(503, error=str(exc), form=form)


def _password() -> dict[str, Any]:
    limit = current_app.config["SETTINGS"].max_password_chars
    password = inputs.check_password(request.form.get("password", ""), '"password"', limit)
    (assessed,) = service.assess([password])
    name, meaning = band(assessed["frequency_per_million"])
    return {
        "form": "password",
        "password_result": {
            "frequency": assessed["frequency_per_million"],
            "band": name,
            "meaning": meaning,
            "guesses": in_words(assessed["guesses"]),
            "meter": METER.get(name, 0),
            "warning": assessed["feedback"]["warning"],
            "suggestions": assessed["feedback"]["suggestions"],
        },
    }


def _explain() -> dict[str, Any]:
    word = inputs.check_word(request.form.get("word"))
    n = inputs.parse_n_words(request.form.get("n_words"))
    return {
        "form": "explain",
        "word": word,
        "n_words": n,
        "clues": service.explain(word, n),
    }


def _guess() -> dict[str, Any]:
    text = request.form.get("clues", "")
    words = inputs.check_clues(inputs.split_clues(text))
    n = inputs.parse_n_words(request.form.get("n_words"))
    return {
        "form": "guess",
        "clue_text": text,
        "n_words": n,
        "guesses": service.guess(words, n),
    }
