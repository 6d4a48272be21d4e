"""Authentication: Flask-Login sessions for the UI, bearer API tokens for programmatic clients.

A session cookie names the user *and* their session version (``User.get_id``): logging out or changing
the password bumps the version, so every cookie issued before stops working, copied or not. A request
that sends ``Authorization: Bearer`` is authenticated by the token alone, never by a cookie riding along,
which is what lets such requests skip the CSRF check (see :mod:`app.security`). Tokens expire
(``API_TOKEN_DAYS``) and can be revoked.
"""
from __future__ import annotations

import hashlib

from flask import Flask, request
from sqlalchemy import select

from app.core.extensions import db, login_manager
from app.core.models import as_utc, utcnow
from app.security import bearer_token


def token_digest(token: str) -> str:
    """SHA-256 of a token: what we store and look up (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_session(session_id: str):
    """The active user a session's ``"<id>:<version>"`` names, or ``None`` when the version is outdated."""
    from app.accounts.models import User

    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None  # a cookie from before session versions existed, or forged
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def user_for_token(token: str):
    """The active user of an unrevoked, unexpired API token, or ``None``."""
    from app.accounts.models import ApiToken

    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_digest == token_digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.is_active or (row.expires_at is not None and as_utc(row.expires_at) <= utcnow()):
        return None
    return row.user


def init_app(app: Flask) -> None:
    """Wire the user loaders into Flask-Login."""
    login_manager.login_view = "web.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None  # the token decides alone (see the module docstring)
        return user_for_session(session_id)

    @login_manager.request_loader
    def load_user_from_token(request):
        token = bearer_token()
        return user_for_token(token) if token else None
