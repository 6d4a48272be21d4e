"""How a domain attaches itself to the app: its pages, its API and its commands, in one call.

Each domain's ``init_app(app)`` calls :func:`register` with what it has and connects its own signal handlers;
``app.create_app`` calls the domains' ``init_app`` in a visible order. Nothing registers by being imported.
"""
from __future__ import annotations

from flask import Flask

from app.core.extensions import api, csrf


def register(app: Flask, *, views=(), apis=(), commands=()) -> None:
    """Register web blueprints, API blueprints (under /api/v1, documented in OpenAPI) and CLI commands."""
    for blueprint in views:
        app.register_blueprint(blueprint)
    for blueprint in apis:
        api.register_blueprint(blueprint)
        # The API's CSRF check differs from the forms' (bearer requests are exempt): see app.security.
        csrf.exempt(blueprint)
    for command in commands:
        app.cli.add_command(command)
