"""Membership service: an organisation's admins add colleagues by e-mail, change their roles and remove them.

A new person gets an account without a usable password and an e-mail with an invitation link (signed, valid
for ``INVITATION_DAYS``, spent once the password is set). A person whose account exists but belongs to no one
any more (removed earlier, here or elsewhere) is added back with their own password. Every change is sent as
``membership_changed`` in its transaction, so the people concerned are notified.
"""
from __future__ import annotations

import hashlib
import secrets

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import ValidationError
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.accounts.service import hash_password
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.uow import unit_of_work
from app.members.schemas import INVITED, MemberSchema, PasswordSchema, RoleSchema
from app.orgs.models import Organisation
from app.orgs.policy import org_policy as policy

INVITATION_DAYS = 7
# Sent as ``membership_changed.send(user, change=..., actor_id=..., invitation=..., uow=...)`` with ``change`` one
# of ``added``, ``role_changed``, ``removed``; ``invitation`` is the link path of a new person's invitation.
membership_changed = Namespace().signal("membership-changed")


def _organisation(identity: Identity, org_id: int, action: str) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or not policy.allows("read_members", identity, org):
        raise NotFound(f"organisation {org_id} not found")
    policy.require(action, identity, org, message="only the organisation's admins manage its members")
    return org


def _load(schema, data: dict, partial=False) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": ["expected a JSON object"]})
    try:
        return schema.load(data, partial=partial)
    except ValidationError as error:
        raise ValidationFailed(error.normalized_messages()) from None


def list_members(identity: Identity, org_id: int) -> list[User]:
    """The organisation's active people (admins first, then by name); its own people and platform admins."""
    org = _organisation(identity, org_id, "read_members")
    return list(db.session.scalars(
        select(User).where(User.org_id == org.id, User.active.is_(True))
        .order_by(User.role != Role.org_admin, User.display_name, User.id)))


def may_manage(identity: Identity, org: Organisation) -> bool:
    """Whether ``identity`` may add, re-role and remove ``org``'s members (pages show the forms only then)."""
    return policy.allows("manage_members", identity, org)


@unit_of_work
def add_member(identity: Identity, org_id: int, data: dict, *, uow) -> User:
    """Add a colleague by e-mail with a role (``member``, ``broker`` or ``org_admin``).

    Unknown e-mail: an account is created and invited. A known e-mail of an account no longer in any
    organisation (removed): the account joins this one. A known e-mail of someone still active anywhere: 409.
    """
    org = _organisation(identity, org_id, "manage_members")
    loaded = _load(MemberSchema(), data)
    email = loaded["email"].lower()
    user = uow.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is not None and user.active:
        message = _l("already a member") if user.org_id == org.id else _l("belongs to another organisation")
        raise Conflict(f"{email} {message}", errors={"email": [message]})
    if user is None:
        user = User(email=email, display_name=loaded["display_name"], org_id=org.id)
        uow.session.add(user)
    # New people, and people removed before they ever set a password, need a (fresh) invitation.
    invitation = _invite(user) if not user.password_hash or user.password_hash.startswith(INVITED) else None
    user.org_id, user.organisation, user.active = org.id, org, True
    user.role = loaded["role"]
    uow.session.flush()
    membership_changed.send(user, change="added", actor_id=identity.user_id,
                            invitation=invitation and f"/invitation/{invitation}", uow=uow)
    return user


@unit_of_work
def change_role(identity: Identity, org_id: int, user_id: int, data: dict, *, uow) -> User:
    """Give a member another role; the organisation keeps at least one admin."""
    user = _member(identity, org_id, user_id)
    role = _load(RoleSchema(), data)["role"]
    if role == user.role:
        return user
    if user.role == Role.org_admin:
        _keep_an_admin(user)
    user.role = role
    membership_changed.send(user, change="role_changed", actor_id=identity.user_id, invitation=None, uow=uow)
    return user


@unit_of_work
def remove_member(identity: Identity, org_id: int, user_id: int, *, uow) -> User:
    """Remove a member: their account is deactivated (their past decisions and deals keep their name).

    Nobody removes themselves (an admin could lock the organisation out) and the last admin stays.
    """
    user = _member(identity, org_id, user_id)
    if user.id == identity.user_id:
        raise Conflict(_l("you cannot remove yourself"), errors={"user": [_l("you cannot remove yourself")]})
    if user.role == Role.org_admin:
        _keep_an_admin(user)
    # Told first: notifications skip inactive accounts, and the person removed should know.
    membership_changed.send(user, change="removed", actor_id=identity.user_id, invitation=None, uow=uow)
    user.active = False
    return user


def _member(identity: Identity, org_id: int, user_id: int) -> User:
    org = _organisation(identity, org_id, "manage_members")
    user = db.session.get(User, user_id)
    if user is None or user.org_id != org.id or not user.active:
        raise NotFound(f"no member {user_id}")
    return user


def _keep_an_admin(user: User) -> None:
    others = db.session.scalar(select(func.count(User.id)).where(
        User.org_id == user.org_id, User.role == Role.org_admin, User.active.is_(True), User.id != user.id))
    if not others:
        raise Conflict(_l("the organisation must keep an admin"), errors={"role": [_l("the organisation must keep an admin")]})


# ------------------------------------------------------------------------------------------- invitations

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="techbridge-invitation")


def _fingerprint(user: User) -> str:
    # Binds the token to the account's current password hash: setting a password (or a new invitation)
    # changes the hash and so spends every earlier link.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _invite(user: User) -> str:
    user.password_hash = INVITED + secrets.token_urlsafe(16)
    return _serializer().dumps({"email": user.email, "fp": _fingerprint(user)})


def invited_user(token: str) -> User:
    """The person ``token`` invites; 404 for a forged, spent or expired link (which is which stays unsaid)."""
    try:
        payload = _serializer().loads(token, max_age=INVITATION_DAYS * 86400)
    except (SignatureExpired, BadSignature):
        raise NotFound("this invitation link is invalid or has expired") from None
    user = db.session.scalar(select(User).where(User.email == payload.get("email")))
    if user is None or not user.active or _fingerprint(user) != payload.get("fp"):
        raise NotFound("this invitation link is invalid or has expired")
    return user


@unit_of_work
def accept_invitation(token: str, data: dict, *, uow) -> User:
    """Set the invited person's password (which spends the link); returns them, ready to log in."""
    user = invited_user(token)
    user.password_hash = hash_password(_load(PasswordSchema(), data)["password"])
    return user
