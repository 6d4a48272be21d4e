"""Service-order schemas: the request, the provider's quote, the report, and the API's output."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.records import PdfUpload
from app.transactions.schemas import DocumentSchema, decimal


class CreateOrderSchema(Schema):
    """Ordering a published pilot-scale or inspection service offer."""

    offer_id = fields.Integer(required=True, validate=validate.Range(min=1))
    request_text = fields.String(required=True, validate=validate.Length(min=5, max=10000),
                                 metadata={"description": "What to test or scale up, samples, quantities, dates"})


class QuoteSchema(Schema):
    """The provider's price (CNY) and lead time."""

    amount = decimal(required=True, low_inclusive=False)
    lead_time_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class ReportSchema(Schema):
    """The provider's report (a PDF) and its summary."""

    summary = fields.String(required=True, validate=validate.Length(min=2, max=10000))
    report = PdfUpload(required=True)


class ServiceOrderSchema(Schema):
    """A service order as its parties and platform admins see it."""

    id = fields.Integer()
    title = fields.String()
    kind = fields.Function(lambda o: o.offer.kind.value)
    offer_id = fields.Integer()
    status = fields.Function(lambda o: o.status.value)
    version = fields.Integer()
    buyer = fields.Function(lambda o: {"id": o.buyer_org.id, "name": o.buyer_org.name})
    seller = fields.Function(lambda o: {"id": o.seller_org.id, "name": o.seller_org.name})
    request_text = fields.String()
    quote = fields.Function(lambda o: {"amount": f"{o.quote_amount:.2f}", "lead_time_days": o.quote_lead_time_days,
                                       "note": o.quote_note} if o.quote_amount is not None else None)
    report = fields.Function(lambda o: {**DocumentSchema().dump(o.report), "summary": o.report_summary}
                             if o.report else None)
    stage_deadline = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
