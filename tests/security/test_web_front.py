"""The web front refuses forgery: strict local redirects, CSRF on cookie-authenticated API calls (bearer
tokens exempt), security headers on every response, and session cookies that die at logout."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.patents.models import Patent
from app.security.redirects import local_url
from tests.factories import PASSWORD, bearer, make_listing, patent_data

API = "/api/v1"


@pytest.fixture(autouse=True)
def no_index_drain(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


@pytest.fixture
def csrf_on(app, monkeypatch):
    """CSRF checks as in production (the shared test app turns them off for the other tests)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _login(client, user) -> None:
    """Log in through the real form (with its CSRF token when checks are on)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token.group(1) if token else ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _page_token(client) -> str:
    """The CSRF token a page hands its scripts (``<meta name="csrf-token">``)."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)


# ---------------------------------------------------------------- redirects

@pytest.mark.parametrize("target", [
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/%09/evil.example".replace("%09", "\t"),
    "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/", "javascript:alert(1)",
    "evil.example", " /x", "/x\x00", "／／evil.example", "/\u2028/evil.example", "", None,
])
def test_off_site_or_ambiguous_targets_are_refused(target):
    assert local_url(target) is None


@pytest.mark.parametrize("target", ["/", "/patents/3", "/search/patents?q=电池&page=2", "/deals/1#offer"])
def test_paths_on_this_site_are_kept(target):
    assert local_url(target) == target


@pytest.mark.parametrize("raw", ["/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example", "%2F%2Fevil.example",
                                 "/%5Cevil.example", "https:%2F%2Fevil.example"])
def test_login_never_redirects_off_site(client, tto_user, db_session, raw):
    db_session.commit()
    response = client.post(f"/login?next={raw}", data={"email": tto_user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"


def test_login_keeps_a_local_next(client, tto_user, db_session):
    db_session.commit()
    response = client.post("/login?next=/my/listings", data={"email": tto_user.email, "password": PASSWORD})
    assert response.location == "/my/listings"


# ---------------------------------------------------------------- CSRF on the API

def test_cookie_api_posts_without_the_header_are_refused_whatever_the_body(app, client, tto_user, db_session, csrf_on):
    db_session.commit()
    _login(client, tto_user)
    before = db_session.scalar(select(func.count(Patent.id)))
    foreign = {"Origin": "https://evil.example"}
    responses = [
        client.post(f"{API}/patents", json=patent_data(), headers=foreign),
        client.post(f"{API}/patents", data={"title": "x"}, headers=foreign),  # form-encoded
        client.post(f"{API}/portfolio/import/patents", data={"file": (b"{}", "a.jsonl")}, headers=foreign,
                    content_type="multipart/form-data"),
        client.delete(f"{API}/auth/tokens/1", headers=foreign),  # no body at all
    ]
    for response in responses:
        assert response.status_code == 400, (response.request.path, response.status_code)
        assert "CSRF" in response.get_json()["message"]
    assert db_session.scalar(select(func.count(Patent.id))) == before


def test_cookie_api_transitions_with_an_empty_body_are_refused(client, tto_user, university, db_session, csrf_on):
    """A state change whose body is empty (a workflow action, a submit) needs the header as much as a create."""
    draft = make_listing("patents", university, status="draft")
    db_session.commit()
    _login(client, tto_user)
    foreign = {"Origin": "https://evil.example"}
    for response in (client.post(f"{API}/patents/{draft.id}/submit", headers=foreign),
                     client.post(f"{API}/patents/{draft.id}/submit", headers=foreign, data=b"",
                                 content_type="multipart/form-data; boundary=B"),
                     client.post(f"{API}/patents/{draft.id}/submit", headers=foreign, json={})):
        assert response.status_code == 400 and "CSRF" in response.get_json()["message"]
    db_session.refresh(draft)
    assert draft.status.value == "draft"
    submitted = client.post(f"{API}/patents/{draft.id}/submit", headers={"X-CSRFToken": _page_token(client)})
    assert submitted.status_code == 200, submitted.get_json()


def test_the_sites_own_token_header_lets_a_cookie_api_call_through(client, tto_user, db_session, csrf_on):
    db_session.commit()
    _login(client, tto_user)
    response = client.post(f"{API}/patents", json=patent_data(), headers={"X-CSRFToken": _page_token(client)})
    assert response.status_code == 201, response.get_json()


def test_bearer_requests_need_no_csrf_token_and_ignore_a_riding_cookie(client, tto_user, buyer_user, db_session,
                                                                         csrf_on):
    db_session.commit()
    response = client.post(f"{API}/patents", json=patent_data(), headers=bearer(tto_user))
    assert response.status_code == 201, response.get_json()
    _login(client, buyer_user)  # a session cookie for someone else rides along with the bearer token
    me = client.get(f"{API}/me", headers=bearer(tto_user)).get_json()
    assert me["id"] == tto_user.id


def test_a_token_works_in_a_browser_that_viewed_pages_without_logging_in(client, tto_user, db_session, csrf_on):
    db_session.commit()
    assert client.get("/login").status_code == 200  # the session now holds a CSRF token, and no login
    me = client.get(f"{API}/me", headers=bearer(tto_user))
    assert me.status_code == 200 and me.get_json()["id"] == tto_user.id


def test_the_site_script_sends_the_token_header():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "app/static/site.js").read_text()
    assert 'headers.set("X-CSRFToken", meta.content)' in script


# ---------------------------------------------------------------- headers

@pytest.mark.parametrize("path", ["/", "/login", f"{API}/openapi.json", f"{API}/patents/999999", "/no/such/page",
                                  "/static/site.css", f"{API}/docs"])
def test_every_response_has_the_security_headers(client, db_session, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("style-src")[0]  # never for scripts
    if not path.endswith("/docs"):
        assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # development: plain HTTP


def test_hsts_only_in_production(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_template_has_inline_script_style_or_handlers():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app"
    offending = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", text):
            offending.append(str(template.relative_to(root)))
    assert offending == []


def test_stripe_is_allowed_only_when_configured(app, client, db_session, monkeypatch):
    assert "stripe" not in client.get("/").headers["Content-Security-Policy"]
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_x")
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com" in csp and "frame-src https://js.stripe.com" in csp


# ---------------------------------------------------------------- sessions

def test_an_old_cookie_is_refused_after_logout(app, client, tto_user, db_session):
    db_session.commit()
    _login(client, tto_user)
    stolen = client.get_cookie("session").value
    assert client.get(f"{API}/me").status_code == 200
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get(f"{API}/me").status_code == 401
    assert thief.get("/account").status_code == 302  # to the login page


def test_a_password_change_ends_other_sessions_but_keeps_this_one(app, client, tto_user, db_session):
    db_session.commit()
    other = app.test_client()
    _login(other, tto_user)
    _login(client, tto_user)
    response = client.post("/account/password", data={"current_password": PASSWORD, "password": "a-new-long-password"})
    assert response.status_code == 302
    assert client.get(f"{API}/me").status_code == 200
    assert other.get(f"{API}/me").status_code == 401


def test_a_wrong_current_password_is_a_message_at_its_field(client, tto_user, db_session):
    db_session.commit()
    _login(client, tto_user)
    response = client.post("/account/password", data={"current_password": "nope", "password": "a-new-long-password"})
    assert response.status_code == 422 and "当前密码不正确" in response.get_data(as_text=True)
