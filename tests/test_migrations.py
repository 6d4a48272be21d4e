"""The schema built by ``flask db upgrade`` is exactly the one the models describe (SQLite and PostgreSQL)."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.core.extensions import db


def test_migrations_match_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrations_downgrade_and_upgrade_cleanly(app, tmp_path):
    """A round trip on a scratch SQLite file: base → head → base → head."""
    from flask_migrate import downgrade, upgrade

    from app import create_app

    scratch = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'scratch.sqlite3'}",
                          "SECRET_KEY": "x" * 40})
    with scratch.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"patents", "tech_demands", "service_offers", "organisations", "audit_log"} <= tables
