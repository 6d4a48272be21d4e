"""Organisation schemas."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.http import ReaderSchema


class OrganisationSchema(ReaderSchema):
    """An organisation as the API shows it (credit code only to its members and admins)."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    name_en = fields.String(allow_none=True, validate=validate.Length(max=200))
    kind = fields.Function(lambda o: o.kind.value, dump_only=True)
    region = fields.String(allow_none=True, validate=validate.Length(max=64))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    credit_code = fields.String(allow_none=True)
    verification_status = fields.Function(lambda o: o.verification_status.value, dump_only=True)
    verification_note = fields.String(dump_only=True, allow_none=True)
    verified_at = fields.DateTime(dump_only=True, allow_none=True)
    is_demo = fields.Boolean(dump_only=True)


class VerificationRequestSchema(Schema):
    """An organisation asks to be verified with its unified social credit code."""

    credit_code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class VerificationDecisionSchema(Schema):
    """A platform admin's verification decision."""

    decision = fields.String(required=True, validate=validate.OneOf(["verify", "reject"]))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
