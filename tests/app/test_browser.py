"""The page in a real headless browser (Debian's chromium driven by Playwright).

Playwright's own browser download does not work offline, so the system chromium is used; CI
installs it (``.ci/run``). Without it the test is skipped locally and fails under CI.
"""

from __future__ import annotations

import shutil

import pytest

from tests.tools import require_program

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    chromium = require_program("chromium", "apt-get install -y chromium", CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")
    yield page
    context.close()
    assert not problems, f"browser console errors (CSP violations?): {problems}"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_password_form_shows_the_result(page, live_server) -> None:
    page.fill("#password", "123456")
    page.click("form:has(#password) button")
    page.wait_for_selector("#password-result")
    result = page.inner_text("#password-result")
    assert "Very weak" in result and "per million" in result and "the first guess" in result
    assert page.inner_text("#warning") == "This is a top-10 common password."
    assert page.locator("#suggestions li").count() >= 1
    page.wait_for_load_state("load")  # the stylesheet too
    lit = page.locator(".meter .lit")
    assert lit.count() == 1 and lit.bounding_box()["height"] == 8  # a bar drawn by the CSS
    assert _fits(page)
    assert page.url == live_server.url + "/"  # POSTed: nothing in the URL
    assert page.input_value("#password") == ""  # and the password is not written back


def test_hat_forms_and_layout(page, player) -> None:
    assert _fits(page)
    word = player.words[0]
    page.fill("#word", word)
    page.click("form:has(#word) button")
    page.wait_for_selector("#clues li")
    clues = page.locator("#clues li").all_inner_texts()
    assert len(clues) == 5
    page.fill("#clue-text", ", ".join(clues[:3]))
    page.click("form:has(#clue-text) button")
    page.wait_for_selector("#guesses li")
    assert page.locator("#guesses li").count() == 5
    assert _fits(page)
    page.set_viewport_size(DESKTOP)
    assert _fits(page)


def test_bad_input_is_shown_escaped(page) -> None:
    page.fill("#word", "<b>bold</b>")
    page.click("form:has(#word) button")
    page.wait_for_selector("#clues")
    assert "<b>bold</b>" in page.inner_text("#clues")  # shown as text, not markup
    assert page.locator("#clues b:text('bold')").count() == 0
