"""Browser tests: the real app served by werkzeug in a thread, driven by Playwright in Debian's Chromium.

The live app has its own database (a SQLite file, committed for real: the browser and the server share no
transaction) and its own search index. Tests create what they need through the services inside
``live.app.app_context()`` and save screenshots under ``tests/e2e/screenshots/`` for people to look at.

Everything a test checks in the browser goes through Playwright's waiting ``expect()``: the page under test is
served by another thread, so a value read right after a click may still be the previous page's. (Polling a
JavaScript function, as ``wait_for_function`` does, is refused by the site's Content-Security-Policy; ``expect()``
on locators is not.)
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Locator, Page, expect
from werkzeug.serving import make_server

from app import create_app
from tests.conftest import app_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parent / "screenshots"

# A waiting assertion waits as long as a Playwright action does (30 s, not expect's 5 s): on a busy machine Swagger
# UI alone takes longer than 5 s to render the API document. A check that never holds still fails.
expect.set_options(timeout=30_000)


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> LiveServer:
    """The app on a free local port with a fresh, migrated database."""
    root = tmp_path_factory.mktemp("live")
    app = create_app(app_settings(root, f"sqlite:///{root / 'live.sqlite3'}"))
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()


@pytest.fixture(scope="module")
def demo_market(live) -> LiveServer:
    """The live site with the demo market (``flask seed-demo``: its platform admin, TTOs and enterprise buyer)."""
    result = live.app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (skipped, with the reason, where Chromium is not installed;
    CI installs it and fails on any skip)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-zenhei)")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (cookies, locale zh-CN) per test."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to look at after the run."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def submit(page, form_id: str) -> None:
    """Submit one of the deal page's forms and wait for the next page (the deal's own address again, so a
    navigation, not a URL, is what to wait for)."""
    with page.expect_navigation():
        page.click(f"#{form_id} button[type=submit]")


def pay_on_the_test_page(page) -> None:
    """The embedded test provider's card form (the same path as a Stripe success webhook)."""
    expect(page.locator("#test-pay-form")).to_be_visible()
    with page.expect_navigation():
        page.click("#test-pay-form button[type=submit]")


PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def screenshots_at_both_widths(page: Page, name: str) -> None:
    """Screenshots ``<name>-1280`` and ``<name>-375``; on the phone the page must not scroll sideways."""
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    expect(page.locator("main")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways"
    screenshot(page, f"{name}-375")
    page.set_viewport_size(DESKTOP)


def log_in(page: Page, url: str, email: str, password: str, *, query: str = "") -> None:
    """Log in through the form and wait for the home page the site sends a signed-in user to."""
    page.goto(f"{url}/login{query}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{url}/")
    expect(page.locator("header .who")).to_be_attached()  # attached: on a phone the header menu is collapsed


def flash(page: Page) -> Locator:
    """The page's flashed message (one at a time: a second one is a strict-mode failure of ``expect()``)."""
    return page.locator("p.flash")
