"""TechBridge application factory."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask

from app import (
    accounts,
    analytics,
    calls,
    deals,
    demands,
    demo,
    discovery,
    idempotency,
    indexing,
    listings,
    manage,
    matching,
    members,
    moderation,
    notifications,
    orgs,
    patents,
    payments,
    portfolio,
    sales,
    schedules,
    security,
    service_offers,
    service_orders,
    web,
)
from app.core import formatting, http_errors, routing, search, sqlite
from app.core.extensions import api, babel, csrf, db, limiter, login_manager, migrate
from app.core.i18n import select_locale
from app.core.input import refuse_unstorable_text
from config import instance_path, load_settings

# The domains, in wiring order: each package's ``init_app(app)`` registers its pages, API, commands and signal
# handlers. Order matters where one domain's work follows another's: listings teaches the URL map its kinds before
# web's rules use it; the listing kinds register before the domains that read every kind (search, moderation,
# portfolio); indexing registers the search outbox's drain before matching registers the alert drain (alerts search
# the index); deals and service orders register their payment callbacks with payments.
DOMAINS = (
    listings, web, accounts, orgs, members, patents, demands, service_offers, moderation, portfolio, manage,
    indexing, discovery, matching, notifications, deals, service_orders, calls, sales, schedules, payments, analytics, demo,
)


# Every model module (each domain's, the audit log and idempotency keys).
MODEL_MODULES = (
    "app.accounts.models", "app.analytics.models", "app.calls.models", "app.core.audit", "app.deals.models", "app.demands.models",
    "app.idempotency.models", "app.indexing.models", "app.listings.models", "app.matching.models",
    "app.notifications.models", "app.orgs.models", "app.patents.models", "app.payments.models", "app.sales.models", "app.schedules.models",
    "app.service_offers.models", "app.service_orders.models",
)


def import_models() -> None:
    """Import every model module, so SQLAlchemy metadata (and Alembic autogenerate) sees all tables."""
    for name in MODEL_MODULES:
        importlib.import_module(name)


def create_app(overrides: dict | None = None, domains=DOMAINS) -> Flask:
    """Build the Flask app; ``overrides`` replace settings, ``domains`` the wired domains (tests use both: a test
    adds a throw-away listing kind this way)."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path())
    app.config.update(load_settings(app.instance_path, overrides))
    logging.basicConfig(level=logging.INFO)

    import_models()
    db.init_app(app)
    with app.app_context():
        sqlite.configure(db.engine)  # WAL, busy timeout, BEGIN IMMEDIATE for writes, aware datetimes
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    api.init_app(app)
    routing.init_app(app, api)  # before the blueprints: their <int:…> rules use the bounded converter
    # Before anything stores input (the idempotency claim included): text no database can hold is a 422.
    app.before_request(refuse_unstorable_text)
    idempotency.init_app(app, api)  # Idempotency-Key on every API POST, documented on each
    security.init_app(app)
    http_errors.init_app(app)
    formatting.init_app(app)
    search.init_app(app)

    for domain in domains:
        domain.init_app(app)
    return app
