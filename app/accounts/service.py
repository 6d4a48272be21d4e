"""Accounts: registration, password checks (Argon2id), the interface language, sessions, API tokens and
password resets (members: ``app/members``).

Registration and password-reset requests answer the same whether the e-mail address is known or not (no
account enumeration); what differs goes into an e-mail to that address, sent after the commit.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.auth import token_digest
from app.accounts.models import ApiToken, PasswordReset, Role, User
from app.accounts.policy import token_policy
from app.accounts.schemas import NewPasswordSchema, RegistrationSchema
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.mail import SendMail
from app.core.messages import NOT_OFFERED
from app.core.models import as_utc, utcnow
from app.core.uow import unit_of_work
from app.orgs.models import Organisation, OrgKind
from app.orgs.service import normalised_credit_code

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
def register(data: dict, *, locale: str | None = None, uow) -> User | None:
    """Register a user and their new organisation; the user becomes its org admin (unverified).

    ``locale`` is the interface language they registered in: their notifications and mail use it.
    Returns the new user, or ``None`` when the e-mail address is already registered: then nothing is
    created and the address's owner is told by e-mail (with a password-reset link), so callers answer
    both cases alike and nobody learns which addresses have accounts.
    """
    loaded = _load(RegistrationSchema(), data)
    if db.session.scalar(select(Organisation.id).where(Organisation.name == loaded["org_name"])):
        raise Conflict("an organisation with this name exists", errors={"org_name": [_l("An organisation with this name already exists.")]})
    org = Organisation(
        name=loaded["org_name"],
        kind=OrgKind(loaded["org_kind"]),
        region=loaded["region"],
        credit_code=normalised_credit_code(loaded["credit_code"]),
    )
    password_hash = hash_password(loaded["password"])  # also when unused: both answers take as long
    existing = _user_by_email(loaded["email"])
    if existing is not None:
        _mail(existing, _l("Someone tried to register with your e-mail address"),
              _l("Your address already has a TechBridge account. If you forgot its password, set a new one here:"),
              _link("accounts.forgot_password"), uow=uow)
        return None
    user = User(
        email=loaded["email"].lower(),
        password_hash=password_hash,
        display_name=loaded["display_name"],
        organisation=org,
        role=Role.org_admin,
        locale=locale if locale in current_app.config["LANGUAGES"] else None,
    )
    uow.session.add_all([org, user])
    _mail(user, _l("Welcome to TechBridge"),
          _l("Your organisation is registered and you are its admin. Log in here, then ask for verification so "
             "that you can publish:"), _link("web.login"), uow=uow)
    return user


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Upgrades outdated hashes transparently."""
    user = _user_by_email(email)
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
        raise ValidationFailed({"locale": [NOT_OFFERED]})
    user = db.session.get(User, identity.user_id)
    if user is not None:
        user.locale = locale


@unit_of_work
def end_sessions(user: User, *, uow) -> None:
    """Invalidate every session cookie of ``user`` (logout; the cookie of this request included)."""
    uow.session.get(User, user.id).session_version += 1


@unit_of_work
def change_password(identity: Identity, current: str, new: str, *, uow) -> User:
    """Change the identity's password after checking the current one; ends every other session."""
    user = uow.session.get(User, identity.user_id)
    if user is None or authenticate(user.email, current) is None:
        raise ValidationFailed({"current_password": [_l("The current password is wrong.")]})
    _set_password(user, new)
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(_load(NewPasswordSchema(), {"password": password})["password"])
    user.session_version += 1


@unit_of_work
def request_password_reset(email: str, *, uow) -> None:
    """E-mail a single-use, expiring reset link to ``email`` when it belongs to an active user.

    Answers nothing either way (no account enumeration); the token's digest is stored, never the token.
    """
    user = _user_by_email(email)
    token = secrets.token_urlsafe(32)
    if user is None or not user.is_active:
        return
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    uow.session.add(PasswordReset(user_id=user.id, token_digest=token_digest(token),
                                  expires_at=utcnow() + timedelta(minutes=minutes)))
    _mail(user, _l("Set a new password"),
          _l("Open this link within %(minutes)s minutes to set a new password. If you did not ask for it, ignore "
            "this e-mail: your password stays as it is.", minutes=minutes),
          _link("accounts.reset_password", token=token), uow=uow)


def _valid_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_digest == token_digest(token or "")))
    if reset is None or reset.used_at is not None or as_utc(reset.expires_at) <= utcnow() or not reset.user.is_active:
        return None
    return reset


def reset_token_is_valid(token: str) -> bool:
    """Whether ``token`` may still set a password (the reset page asks before showing its form)."""
    return _valid_reset(token) is not None


@unit_of_work
def reset_password(token: str, password: str, *, uow) -> User:
    """Set a new password with a reset token; the token and every other open one of the user are used up."""
    reset = _valid_reset(token)
    if reset is None:
        raise NotFound(_l("This link has expired or was already used. Ask for a new one."))
    _set_password(reset.user, password)
    now = utcnow()
    for pending in uow.session.scalars(
        select(PasswordReset).where(PasswordReset.user_id == reset.user_id, PasswordReset.used_at.is_(None))
    ):
        pending.used_at = now
    return reset.user


def _link(endpoint: str, **values) -> str:
    """A link for an e-mail: absolute within a request; the site path elsewhere (CLI, scripts, tests)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _mail(user: User, subject, text, link: str, *, uow) -> None:
    """An account e-mail to ``user`` in their own language (``subject`` and ``text`` are lazy), after the commit."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        uow.register(SendMail(user.email, f"[技桥 TechBridge] {subject}", f"{text}\n\n{link}"))


@unit_of_work
def create_token(user: User, name: str = "api", *, uow) -> str:
    """Create an API token for ``user`` valid ``API_TOKEN_DAYS``; the plain token is returned once, never stored."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=current_app.config["API_TOKEN_DAYS"])
    uow.session.add(ApiToken(user_id=user.id, name=name, token_digest=token_digest(token), expires_at=expires_at))
    return token


def token_state(token: ApiToken) -> str:
    """``"revoked"``, ``"expired"`` or ``"active"``."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and as_utc(token.expires_at) <= utcnow():
        return "expired"
    return "active"


def tokens_of(identity: Identity) -> list[ApiToken]:
    """The identity's API tokens, newest first (revoked and expired ones included, labelled by the page)."""
    if not token_policy.allows("list", identity):
        return []
    return list(db.session.scalars(
        select(ApiToken).where(token_policy.sql_filter("read", identity, ApiToken)).order_by(ApiToken.id.desc())
    ))


@unit_of_work
def revoke_token(identity: Identity, token_id: int, *, uow) -> None:
    """Revoke one of the identity's own tokens."""
    token = db.session.get(ApiToken, token_id)
    # An unknown id is refused like another's token, so nobody learns which ids exist.
    token_policy.require("revoke", identity, token or ApiToken(), message="not your token")
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
