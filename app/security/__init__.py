"""Web security that applies to every request: proxy headers, CSRF on cookie-authenticated API calls,
and the security headers (CSP without ``'unsafe-inline'``, framing, referrer, MIME sniffing, HSTS).

Forms are protected by Flask-WTF's ``CSRFProtect`` (see :mod:`app.core.extensions`); the API blueprints are
exempt from its form check and protected here instead, because their clients differ: a request that
carries ``Authorization: Bearer`` is authenticated by the token alone (see :mod:`app.accounts.auth`), which a
foreign page cannot send, so it needs no CSRF token; every other state change under ``/api/`` that carries
the session cookie must send the ``X-CSRFToken`` header (the site's own ``static/site.js`` adds it).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.core.extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Swagger UI (the API docs page) injects <style> elements at run time; only that page allows inline styles.
DOCS_STYLE_EXCEPTION = "/api/v1/docs"


def bearer_token() -> str | None:
    """The bearer token of the current request, if it sends one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() or None if header.startswith("Bearer ") else None


def _cookie_authenticated() -> bool:
    """Whether the request could be authenticated by a cookie (session or remember-me)."""
    config = current_app.config
    names = (config.get("SESSION_COOKIE_NAME", "session"), config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in names)


def protect_api_from_forgery() -> None:
    """Refuse a cookie-authenticated API state change without a valid ``X-CSRFToken`` header (400)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or request.method in SAFE_METHODS:
        return
    if not request.path.startswith("/api/") or bearer_token() or not _cookie_authenticated():
        return
    csrf.protect()


def _origin(url: str | None) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(path: str) -> str:
    """The CSP of a response: this origin only, plus Stripe.js (its script, frames and API) when configured."""
    config = current_app.config
    stripe_js = _origin(config.get("STRIPE_JS_URL")) if config.get("STRIPE_PUBLISHABLE_KEY") else ""
    stripe_api = _origin(config.get("STRIPE_API_BASE")) or "https://api.stripe.com"
    style = "'self' 'unsafe-inline'" if path.startswith(DOCS_STYLE_EXCEPTION) else "'self'"
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' {stripe_js}".strip(),
        "style-src": style,
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": f"'self' {stripe_js} {stripe_api}" if stripe_js else "'self'",
        "frame-src": f"{stripe_js} https://hooks.stripe.com" if stripe_js else "'none'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def add_security_headers(response):
    """Security headers on every response (HSTS only in production, where the site is served over HTTPS)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(request.path))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """Install ProxyFix for ``TRUSTED_PROXIES`` proxies, the API CSRF check and the security headers."""
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Only as many X-Forwarded-* hops as there are proxies of ours are believed (else anyone spoofs them).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)
    app.before_request(protect_api_from_forgery)
    app.after_request(add_security_headers)
