"""Schemas of membership: a colleague to add, a role to give, a password to set from an invitation."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.accounts.models import Role

# The password hash of a person invited but not yet arrived: no Argon2 hash, so no password logs them in.
INVITED = "!invited:"


def invitation_pending(user) -> bool:
    """True while an invited person has not yet chosen their password."""
    return user.password_hash.startswith(INVITED)


# Roles an organisation admin may give; platform admins are made by the platform, never by an organisation.
MEMBER_ROLES = [Role.member, Role.broker, Role.org_admin]


class MemberSchema(Schema):
    """A member as the API shows it, and a colleague an org admin adds (``email``, ``display_name``, ``role``)."""

    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = fields.Enum(Role, by_value=True, load_default=Role.member, validate=validate.OneOf(MEMBER_ROLES))
    active = fields.Boolean(dump_only=True)
    invitation_pending = fields.Function(invitation_pending, dump_only=True)


class RoleSchema(Schema):
    """A member's new role."""

    role = fields.Enum(Role, by_value=True, required=True, validate=validate.OneOf(MEMBER_ROLES))


class PasswordSchema(Schema):
    """The password an invited person chooses."""

    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))
