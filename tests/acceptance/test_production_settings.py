"""Production refuses to start with development secrets or embedded stand-ins; development generates its
secret key once, in the instance folder, and never lets production use it."""
from __future__ import annotations

import pytest

from app import create_app
from config import ConfigurationError, load_settings

PRODUCTION = {
    "TECHBRIDGE_ENV": "production",
    "SECRET_KEY": "p" * 48,
    "DATABASE_URL": "postgresql+psycopg://techbridge@db.internal/techbridge",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
}


@pytest.fixture
def environment(monkeypatch):
    """A clean environment: only what a test sets is there."""
    for name in ("TECHBRIDGE_ENV", "SECRET_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
                 "STRIPE_PUBLISHABLE_KEY", "ELASTICSEARCH_URL", "SEARCH_DRAIN_AFTER_COMMIT"):
        monkeypatch.delenv(name, raising=False)

    def setenv(**values):
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)

    return setenv


def test_a_complete_production_environment_starts_with_secure_settings(environment, tmp_path):
    environment(**PRODUCTION)
    settings = load_settings(str(tmp_path))
    assert settings["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["SEARCH_DRAIN_AFTER_COMMIT"] is False  # production runs the search worker
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("change, message", [
    ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
    ({"SECRET_KEY": "dev"}, "too short"),
    ({"DATABASE_URL": None}, "PostgreSQL"),
    ({"DATABASE_URL": "sqlite:////tmp/techbridge.sqlite3"}, "PostgreSQL"),
    ({"STRIPE_SECRET_KEY": None}, "STRIPE_SECRET_KEY"),
    ({"STRIPE_WEBHOOK_SECRET": None}, "STRIPE_WEBHOOK_SECRET"),
])
def test_production_refuses_development_secrets_and_stand_ins(environment, tmp_path, change, message):
    environment(**{**PRODUCTION, **change})
    with pytest.raises(ConfigurationError, match=message):
        load_settings(str(tmp_path))


def test_production_never_falls_back_to_the_development_key_in_the_instance_folder(environment, tmp_path):
    development_key = load_settings(str(tmp_path))["SECRET_KEY"]  # development: generated once, kept in instance/
    assert (tmp_path / "secret_key").read_text().strip() == development_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only
    assert load_settings(str(tmp_path))["SECRET_KEY"] == development_key  # and reused

    environment(**{**PRODUCTION, "SECRET_KEY": None})
    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        load_settings(str(tmp_path))


def test_the_app_factory_itself_refuses_to_start(environment):
    environment(**{**PRODUCTION, "SECRET_KEY": None})
    with pytest.raises(ConfigurationError):
        create_app()
