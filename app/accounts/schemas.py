"""Schemas for registration, login, users and API tokens."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.orgs.models import OrgKind

SELF_SERVICE_KINDS = [k.value for k in OrgKind if k != OrgKind.platform]


class RegistrationSchema(Schema):
    """A new user together with the organisation they register (they become its org admin)."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    org_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    org_kind = fields.String(required=True, validate=validate.OneOf(SELF_SERVICE_KINDS))
    region = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    credit_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class NewPasswordSchema(Schema):
    """A new password (password change and reset): the same rule as at registration."""

    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))


class UserSchema(Schema):
    """A user as the API shows it."""

    id = fields.Integer(dump_only=True)
    email = fields.Email(dump_only=True)
    display_name = fields.String(dump_only=True)
    role = fields.Function(lambda u: u.role.value, dump_only=True)
    org_id = fields.Integer(dump_only=True)
    org_name = fields.String(attribute="organisation.name", dump_only=True)
    locale = fields.String(dump_only=True, allow_none=True)


class TokenRequestSchema(Schema):
    """Credentials exchanged for an API token."""

    email = fields.Email(required=True)
    password = fields.String(required=True, load_only=True)
    name = fields.String(load_default="api", validate=validate.Length(min=1, max=100))
