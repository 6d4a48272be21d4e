"""Browser: the pages satisfy the Content-Security-Policy (no inline script or style left to refuse), their
moved scripts still work, and the site's own fetch calls carry the CSRF token the API asks for."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

PAGES = ["/", "/search/patents?q=电池", "/patents/1", "/my/listings", "/admin/moderation", "/admin/dashboard",
         "/account", "/account/tokens", "/deals/", "/notifications", "/api/v1/docs"]


@pytest.fixture(scope="module")
def demo_market(live):
    result = live.app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live


def _log_in(page, url, email):
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "techbridge-demo")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")


def test_no_page_breaks_the_policy(demo_market, page):
    url = demo_market.url
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(
        (page.url, message.text)))
    _log_in(page, url, "admin@demo.techbridge.cn")
    for path in PAGES:
        response = page.goto(f"{url}{path}")
        assert response.status < 500, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("style-src")[0]
    page.goto(f"{url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock")  # Swagger UI started from its file, not an inline script
    page.goto(f"{url}/admin/dashboard")
    expect(page.locator(".bar[data-width]").first).to_have_attribute("style", re.compile(r"width: [\d.]+%"))
    screenshot(page, "csp-dashboard-bars")
    assert violations == []


def test_the_sites_fetch_sends_the_csrf_token_and_a_bare_request_is_refused(demo_market, page):
    url = demo_market.url
    _log_in(page, url, "buyer@demo.techbridge.cn")
    page.goto(f"{url}/")
    statuses = page.evaluate("""async () => {
        const ours = await fetch('/api/v1/auth/tokens/999999', {method: 'DELETE'});
        const bare = await new Promise(resolve => {
            const request = new XMLHttpRequest();  // not through site.js: no token header
            request.open('DELETE', '/api/v1/auth/tokens/999999');
            request.onload = () => resolve(request.status);
            request.send();
        });
        return [ours.status, bare];
    }""")
    assert statuses[0] in (403, 404) and statuses[1] == 400
