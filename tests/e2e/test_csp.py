"""Browser: the pages satisfy the Content-Security-Policy (no inline script or style left to refuse), their
moved scripts still work, and the site's own fetch calls carry the CSRF token the API asks for."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import log_in, screenshot

PAGES = ["/", "/search/patents?q=电池", "/patents/1", "/my/listings", "/admin/moderation", "/admin/dashboard",
         "/account", "/account/tokens", "/deals/", "/notifications", "/api/v1/docs"]


def test_no_page_breaks_the_policy(demo_market, page):
    url = demo_market.url
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(
        (page.url, message.text)))
    log_in(page, url, "admin@demo.techbridge.cn", DEMO_PASSWORD)
    for path in PAGES:
        response = page.goto(f"{url}{path}")
        assert response.status < 500, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("style-src")[0]
    page.goto(f"{url}/api/v1/docs")
    # Swagger UI started from its file, not an inline script
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.goto(f"{url}/admin/dashboard")
    expect(page.locator(".bar[data-width]").first).to_have_attribute("style", re.compile(r"width: [\d.]+%"))
    screenshot(page, "csp-dashboard-bars")
    assert violations == []


def test_the_sites_fetch_sends_the_csrf_token_and_a_bare_request_is_refused(demo_market, page):
    url = demo_market.url
    log_in(page, url, "buyer@demo.techbridge.cn", DEMO_PASSWORD)
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
