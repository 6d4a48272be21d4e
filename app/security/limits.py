"""Rate limits on credential endpoints, counted per client address *and* per account.

The counters live in Redis when ``REDIS_URL`` is set (``RATELIMIT_STORAGE_URI``), so every worker and
every host shares them; in memory otherwise (one process). Client addresses are real ones only behind
``TRUSTED_PROXIES`` (ProxyFix, see :mod:`app.security`). The account key is the e-mail address tried, so
guessing one account's password from many addresses is limited too.
"""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.core.extensions import limiter


def submitted_account() -> str:
    """The rate-limit key of the account a request names: its e-mail (form or JSON), lower-cased."""
    body = request.get_json(silent=True) if request.is_json else None
    email = (body.get("email") if isinstance(body, dict) else None) or request.form.get("email") or ""
    return "account:" + str(email).strip().lower()[:254]


def credential_limits(setting: str = "LOGIN_RATE_LIMIT"):
    """A decorator limiting POSTs to the rate in ``app.config[setting]``, per address and per account, counted
    together over every endpoint decorated with the same ``setting``."""

    def rate() -> str:
        return current_app.config[setting]

    # Shared by every endpoint with the same setting: alternating the login page, the token API and the
    # reset form buys no extra guesses.
    by_address = limiter.shared_limit(rate, f"{setting}:address", key_func=get_remote_address, methods=["POST"])
    by_account = limiter.shared_limit(rate, f"{setting}:account", key_func=submitted_account, methods=["POST"])

    def decorate(view):
        return by_address(by_account(view))

    return decorate
