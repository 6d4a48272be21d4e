"""Settings for TechBridge: the only module that reads ``os.environ``.

Every setting has an embedded default so a newcomer runs the service with nothing configured
(SQLite in the instance folder, the embedded search engine, the test payment provider).
Production (``TECHBRIDGE_ENV=production``) refuses to start with development secrets.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


class ConfigurationError(RuntimeError):
    """Raised when the environment describes a configuration that must not run."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret_key(instance_path: Path) -> str:
    """Return a secret key generated once and kept in the instance folder (development only)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


# Weights of the matcher's features; tuned on ../shared/data (see bench/) and overridable per deployment.
# Chosen on the dev split of the real demand benchmark (bench/bdci.py, README "Benchmarks"): with only text on
# both sides, e5 similarity of titles (calibrated on 0.85–0.93) outweighs BM25 about 2:1 (re-checked 2026-12-01
# with listings embedded as queries, every document scored offline: nDCG@10 0.172 at 2.1:1 and 3:1, 0.169 at 4:1,
# 0.168 at 1.5:1, about 0.16 at 1:1; again once a demand's passage joined the semantic queries and title bigrams
# left: the matcher 0.192, 0.191 and 0.194 with lexical at 0.15, 0.20 and 0.25 — flat, so kept; with feedback
# (2026-12-02) 0.190 / 0.199 / 0.200 / 0.196 / 0.196 / 0.197 at 0.10 / 0.12 / 0.15 / 0.18 / 0.20 / 0.25 — kept).
# Classification and the fit features have no data there:
# classification is kept small; fit only scales relevance (app/matching/features.py), by up to 38% when a
# candidate fails every stated condition of the buyer.
DEFAULT_MATCH_WEIGHTS = {
    "lexical": 0.15,
    "semantic": 0.32,
    "classification": 0.08,
    "indicators": 0.20,
    "maturity": 0.06,
    "price": 0.05,
    "region": 0.03,
}

# Platform fee as a fraction of the upfront fee, per deal mode (0.05 = 5%).
DEFAULT_PLATFORM_FEES = {
    "assignment": 0.05,
    "exclusive_licence": 0.05,
    "sole_licence": 0.05,
    "non_exclusive_licence": 0.05,
    "equity": 0.05,
    "development": 0.05,
    "service_order": 0.05,
}


def instance_path() -> str | None:
    """The instance folder from ``INSTANCE_PATH`` (absolute), or ``None`` for Flask's default next to the code."""
    path = os.environ.get("INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def load_settings(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment and ``overrides`` (tests pass these)."""
    overrides = overrides or {}
    instance = Path(instance_path)
    env = overrides.get("ENV_NAME") or os.environ.get("TECHBRIDGE_ENV", "development")
    production = env == "production"

    secret_key = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigurationError("SECRET_KEY must be set in production")
        secret_key = _instance_secret_key(instance)

    settings = {
        "ENV_NAME": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'techbridge.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Search: unset URL → embedded tantivy index in the instance folder.
        "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL") or None,
        "ELASTICSEARCH_PLAIN_JSON": _env_bool("ELASTICSEARCH_PLAIN_JSON", False),
        "SEARCH_INDEX_PREFIX": os.environ.get("SEARCH_INDEX_PREFIX", "techbridge"),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR") or str(instance / "search"),
        # Embedded default applies outbox rows right after commit; production runs `flask search worker`.
        "SEARCH_DRAIN_AFTER_COMMIT": _env_bool("SEARCH_DRAIN_AFTER_COMMIT", not production),
        # ... in a thread of the web process, so a request never waits for a backlog (tests drain inline).
        "OUTBOX_DRAIN_IN_BACKGROUND": _env_bool("OUTBOX_DRAIN_IN_BACKGROUND", True),
        # e.g. MATCH_WEIGHTS='{"semantic": 0}' overrides single weights (JSON object of feature → weight)
        "MATCH_WEIGHTS": {**DEFAULT_MATCH_WEIGHTS, **json.loads(os.environ.get("MATCH_WEIGHTS") or "{}")},
        "MATCH_ALERT_THRESHOLD": float(os.environ.get("MATCH_ALERT_THRESHOLD", "0.55")),
        # Embedding vectors of listings are computed when the search outbox indexes them (off = back-fill only).
        "EMBED_AFTER_INDEX": _env_bool("EMBED_AFTER_INDEX", True),
        # Payments: no key → the clearly labelled test provider.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        # Connect transfers may go elsewhere than PaymentIntents (tests replay recorded responses there).
        "STRIPE_TRANSFER_API_BASE": os.environ.get("STRIPE_TRANSFER_API_BASE") or None,
        "STRIPE_JS_URL": os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        "PLATFORM_FEES": DEFAULT_PLATFORM_FEES,
        "PAYMENT_CURRENCY": os.environ.get("PAYMENT_CURRENCY", "cny"),
        # Mail: unset host → messages are only logged.
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@techbridge.local"),
        # The site's public address: links in e-mails (notifications, invitations) are built on it.
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:5000"),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance / "uploads"),
        "MAX_ATTACHMENT_BYTES": int(os.environ.get("MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024))),
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "DEAL_STAGE_DEADLINE_DAYS": int(os.environ.get("DEAL_STAGE_DEADLINE_DAYS", "30")),
        # Web security.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        # Reverse proxies in front of the app whose X-Forwarded-* headers are believed (0: none, direct).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "30")),
        "PASSWORD_RESET_MINUTES": int(os.environ.get("PASSWORD_RESET_MINUTES", "60")),
        "REGISTER_RATE_LIMIT": os.environ.get("REGISTER_RATE_LIMIT", "5 per hour"),
        # i18n: Chinese first.
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "LANGUAGES": {"zh_CN": "中文", "en": "English"},
        # The one time zone pages and e-mails show times in (the database keeps UTC).
        "DISPLAY_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Asia/Shanghai"),
        # flask-smorest / OpenAPI, served from local assets (the machine is offline).
        "API_TITLE": "TechBridge API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/static/apidocs/",  # vendored Swagger UI, see app/static/apidocs/README.md
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},  # no call to the online validator
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}, {}],
        },
    }
    settings.update(overrides)

    if settings["ENV_NAME"] == "production":
        _check_production(settings)
    return settings


def _check_production(settings: dict) -> None:
    """Refuse development secrets and embedded stand-ins in production."""
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise ConfigurationError("production needs DATABASE_URL pointing at PostgreSQL")
    if not settings.get("STRIPE_SECRET_KEY") or not settings.get("STRIPE_WEBHOOK_SECRET"):
        raise ConfigurationError("production needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
    if len(settings["SECRET_KEY"]) < 32:
        raise ConfigurationError("SECRET_KEY is too short for production")
