"""TechBridge application factory."""
from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path

from flask import Flask

from config import instance_path, load_settings

from .extensions import api, babel, csrf, db, limiter, login_manager, migrate

# Domain packages, in registration order. Each may provide ``views.bp`` (web UI blueprint),
# ``api.blp`` (flask-smorest blueprint under /api/v1) and ``cli.cli`` (a click group or command; or
# ``cli.commands``, a list of them).
DOMAINS = [
    "web",
    "accounts",
    "orgs",
    "members",
    "patents",
    "demands",
    "service_offers",
    "moderation",
    "portfolio",
    "manage",
    "indexing",
    "discovery",
    "matching",
    "notifications",
    "deals",
    "service_orders",
    "payments",
    "schedules",
    "analytics",
    "demo",
]

# Every model module, imported so SQLAlchemy metadata (and Alembic autogenerate) sees all tables.
MODEL_MODULES = [f"app.{d}.models" for d in DOMAINS] + ["app.idempotency.models"]


def _optional_module(name: str):
    """Import ``name`` when it exists (domains grow their API/UI/CLI modules independently)."""
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name) if spec else None


def import_models() -> None:
    """Import every domain's models module."""
    for name in MODEL_MODULES:
        _optional_module(name)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the Flask app; ``overrides`` replace settings (tests use it)."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path())
    app.config.update(load_settings(app.instance_path, overrides))
    logging.basicConfig(level=logging.INFO)

    import_models()
    db.init_app(app)
    from . import sqlite

    with app.app_context():
        sqlite.configure(db.engine)  # WAL, busy timeout, BEGIN IMMEDIATE for writes, aware datetimes
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from .i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    api.init_app(app)
    from . import routing

    routing.init_app(app, api)  # before the blueprints: their <int:…> rules use the bounded converter
    from . import idempotency

    idempotency.init_app(app, api)  # Idempotency-Key on every API POST, documented on each

    from . import auth, errors_http, formatting, search_engine, security

    auth.init_app(app)
    security.init_app(app)
    errors_http.init_app(app)
    formatting.init_app(app)
    search_engine.init_app(app)

    for domain in DOMAINS:
        views = _optional_module(f"app.{domain}.views")
        if views is not None:
            app.register_blueprint(views.bp)
        api_module = _optional_module(f"app.{domain}.api")
        if api_module is not None:
            api.register_blueprint(api_module.blp)
            # The API's CSRF check differs from the forms' (bearer requests are exempt): see app.security.
            csrf.exempt(api_module.blp)
        cli_module = _optional_module(f"app.{domain}.cli")
        if cli_module is not None:
            for command in getattr(cli_module, "commands", [cli_module.cli]):
                app.cli.add_command(command)
    from .notifications import decisions

    decisions.init_app(app)
    return app
