"""The service-offer schema: API input/output and the search document."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.listings.schemas import ListingSchema, money
from app.service_offers.models import ServiceKind

CONFIDENTIAL: tuple[str, ...] = ()


class QualificationSchema(Schema):
    """A laboratory qualification: CMA (检验检测机构资质认定) or CNAS accreditation number."""

    type = fields.String(required=True, validate=validate.OneOf(["CMA", "CNAS", "other"]))
    number = fields.String(required=True, validate=validate.Length(min=3, max=64))


class ServiceOfferSchema(ListingSchema):
    """A pilot-scale (中试) or inspection (检验检测) service offer."""

    kind = fields.Enum(ServiceKind, by_value=True, required=True)
    description = fields.String(required=True, validate=validate.Length(min=10, max=10000))
    capabilities = fields.String(allow_none=True, validate=validate.Length(max=10000))
    equipment = fields.String(allow_none=True, validate=validate.Length(max=10000))
    qualifications = fields.List(fields.Nested(QualificationSchema), validate=validate.Length(max=20))
    capacity = fields.String(allow_none=True, validate=validate.Length(max=200))
    lead_time_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=3650))
    price_basis = fields.String(allow_none=True, validate=validate.Length(max=200))
    price_from = money()
    industries = fields.List(fields.String(validate=validate.Length(min=1, max=64)), validate=validate.Length(max=20))
