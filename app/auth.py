"""Authentication: Flask-Login sessions for the UI, bearer API tokens for programmatic clients."""
from __future__ import annotations

import hashlib

from flask import Flask
from sqlalchemy import select

from .extensions import db, login_manager


def token_digest(token: str) -> str:
    """SHA-256 of a token: what we store and look up (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def init_app(app: Flask) -> None:
    """Wire the user loaders into Flask-Login."""
    from .accounts.models import ApiToken, User

    login_manager.login_view = "web.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    @login_manager.request_loader
    def load_user_from_token(request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        token = db.session.scalar(
            select(ApiToken).where(
                ApiToken.token_digest == token_digest(header[7:].strip()), ApiToken.revoked_at.is_(None)
            )
        )
        if token is None or not token.user.is_active:
            return None
        return token.user
