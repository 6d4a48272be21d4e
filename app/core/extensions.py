"""Flask extensions, created unbound here and attached to the app in ``create_app``."""
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints keep Alembic autogenerate and SQLite batch migrations deterministic.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, but honouring an explicit ``bind`` (tests join an outer transaction)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return super().get_bind(mapper, clause, bind=bind or self.bind, **kwargs)


class TokenAwareLoginManager(LoginManager):
    """Flask-Login whose "strong" session protection leaves token requests alone.

    A request with ``Authorization: Bearer`` is authenticated by its token only and its cookie is ignored; but
    Flask-Login checks the session first and, when a browser's session holds anything (a CSRF token after a page
    view) without a login, declares the protection failed and loads no user at all, token included (401).
    """

    def _session_protection_failed(self) -> bool:
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION), session_options={"class_": Session})
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = TokenAwareLoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = Api()
