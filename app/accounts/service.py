"""Accounts: registration, password checks (Argon2id), the interface language and API tokens (members:
``app/members``)."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from ..auth import token_digest
from ..errors import Conflict, PermissionDenied, ValidationFailed
from ..extensions import db
from ..identity import Identity
from ..models_base import utcnow
from ..orgs.models import Organisation, OrgKind
from ..orgs.service import normalised_credit_code
from ..uow import unit_of_work
from .models import ApiToken, Role, User
from .schemas import RegistrationSchema

hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so both paths cost the same (no user enumeration by timing).
_DUMMY_HASH = hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``."""
    return hasher.hash(password)


def _email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())) is not None


def _load(schema, data):
    errors = schema.validate(data)
    if errors:
        raise ValidationFailed(errors)
    return schema.load(data)


@unit_of_work
def register(data: dict, *, locale: str | None = None, uow) -> User:
    """Register a user and their new organisation; the user becomes its org admin (unverified).

    ``locale`` is the interface language they registered in: their notifications and mail use it.
    """
    loaded = _load(RegistrationSchema(), data)
    if _email_taken(loaded["email"]):
        raise Conflict("this e-mail address is already registered", errors={"email": ["already registered"]})
    if db.session.scalar(select(Organisation.id).where(Organisation.name == loaded["org_name"])):
        raise Conflict("an organisation with this name exists", errors={"org_name": ["already exists"]})
    org = Organisation(
        name=loaded["org_name"],
        kind=OrgKind(loaded["org_kind"]),
        region=loaded["region"],
        credit_code=normalised_credit_code(loaded["credit_code"]),
    )
    user = User(
        email=loaded["email"].lower(),
        password_hash=hash_password(loaded["password"]),
        display_name=loaded["display_name"],
        organisation=org,
        role=Role.org_admin,
        locale=locale if locale in current_app.config["LANGUAGES"] else None,
    )
    uow.session.add_all([org, user])
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Upgrades outdated hashes transparently."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        _rehash(user, password)
    return user


@unit_of_work
def _rehash(user: User, password: str, *, uow) -> None:
    user.password_hash = hash_password(password)


@unit_of_work
def set_locale(identity: Identity, locale: str, *, uow) -> None:
    """Remember the user's interface language (their notifications and mail are written in it)."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed({"locale": [f"must be one of {sorted(current_app.config['LANGUAGES'])}"]})
    user = db.session.get(User, identity.user_id)
    if user is not None:
        user.locale = locale


@unit_of_work
def create_token(user: User, name: str = "api", *, uow) -> str:
    """Create an API token for ``user``; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    uow.session.add(ApiToken(user_id=user.id, name=name, token_digest=token_digest(token)))
    return token


@unit_of_work
def revoke_token(identity: Identity, token_id: int, *, uow) -> None:
    """Revoke one of the identity's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != identity.user_id:
        raise PermissionDenied("not your token")
    token.revoked_at = utcnow()


def display_names(user_ids) -> dict[int, str]:
    """User id → display name for ``user_ids`` (e.g. the actors of audit entries)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


@unit_of_work
def ensure_demo_user(org, email: str, display_name: str, role: str, password: str, *, uow) -> tuple[User, bool]:
    """The user ``email``, created in ``org`` when absent (demo seeding); returns ``(user, created)``."""
    user = uow.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is not None:
        return user, False
    user = User(email=email.lower(), password_hash=hash_password(password), display_name=display_name,
                org_id=org.id, role=Role(role), is_demo=True)
    uow.session.add(user)
    return user, True
