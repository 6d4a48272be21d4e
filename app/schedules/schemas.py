"""Schedule schemas: items, a deal's schedule with its royalty years, distribution rules and statements, as the
API shows them (amounts in fen; dates as ISO dates)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.http import DecimalString
from app.core.routing import MAX_DB_INT
from app.schedules.actions import KIND_LABELS
from app.schedules.distribution import RuleSchema, ShareSchema
from app.schedules.models import ItemStatus


class ScheduleItemSchema(Schema):
    """One item of a payment schedule (``events``, ``payment`` and ``next_actions`` are added by the API)."""

    id = fields.Integer()
    deal_id = fields.Integer()
    title = fields.String()
    kind = fields.Function(lambda i: i.kind.value, metadata={"type": "string", "enum": [k.value for k in KIND_LABELS]})
    kind_label = fields.Function(lambda i: str(KIND_LABELS[i.kind]), metadata={"type": "string"})
    sequence = fields.Integer()
    status = fields.Function(lambda i: i.status.value, metadata={"type": "string", "enum": [s.value for s in ItemStatus]})
    version = fields.Integer()
    buyer_org_id = fields.Integer()
    seller_org_id = fields.Integer()
    amount = fields.Integer(allow_none=True, metadata={"description": "Minor units (fen); a royalty's once reported"})
    due_date = fields.Date(allow_none=True, metadata={"description": "Pay by (royalties: report by)"})
    deliverable = fields.String(allow_none=True)
    acceptance_criterion = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    contract_year = fields.Integer(allow_none=True)
    royalty_rate = DecimalString(allow_none=True, metadata={"description": "Percent of sales"})
    sales = fields.Integer(allow_none=True, metadata={"description": "Reported sales, fen"})
    report_filed_at = fields.DateTime(allow_none=True)
    report_late = fields.Boolean()
    completed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RoyaltyYearSchema(Schema):
    """One contract year of a royalty licence: the minimum, the royalties reported and accepted, the shortfall."""

    year = fields.Integer()
    start = fields.Date()
    end = fields.Date()
    minimum = fields.Integer(metadata={"description": "fen"})
    royalties = fields.Integer(metadata={"description": "Royalties of accepted reports, fen"})
    reports_due = fields.Integer()
    reports_accepted = fields.Integer()
    late_reports = fields.Integer()
    shortfall = fields.Integer(metadata={"description": "What the royalties lack to reach the minimum, fen"})
    complete = fields.Boolean(metadata={"description": "Every report of the year accepted"})


class DealScheduleSchema(Schema):
    """A deal's payment schedule: its items, the royalty years, what was released and what is still expected."""

    deal_id = fields.Function(lambda s: s["deal"].id, metadata={"type": "integer"})
    items = fields.List(fields.Nested(ScheduleItemSchema))
    years = fields.List(fields.Nested(RoyaltyYearSchema))
    overdue = fields.List(fields.Integer(), metadata={"description": "Ids of the items past their due date"})
    released = fields.Integer(metadata={"description": "fen"})
    expected = fields.Integer(metadata={"description": "fen still to be paid (known amounts)"})


class ShareOutSchema(ShareSchema):
    """A beneficiary's share as stored."""

    percent = DecimalString()


class RuleOutSchema(RuleSchema):
    """A distribution rule as stored."""

    id = fields.Integer()
    org_id = fields.Integer()
    shares = fields.List(fields.Nested(ShareOutSchema))
    updated_at = fields.DateTime()


class StatementSchema(Schema):
    """One beneficiary's part of one released (or reversed) payment."""

    id = fields.Integer()
    item_id = fields.Integer(allow_none=True, metadata={"description": "the schedule item, if it paid one"})
    deal_id = fields.Integer(allow_none=True)
    title = fields.String(allow_none=True, metadata={"description": "what the payment was for"})
    payment_id = fields.Integer()
    rule_id = fields.Integer()
    entry = fields.String(metadata={"enum": ["release", "reversal"]})
    beneficiary = fields.String()
    kind = fields.String()
    percent = DecimalString()
    amount = fields.Integer(metadata={"description": "fen; negative for a reversal"})
    created_at = fields.DateTime()


class OrgArgs(Schema):
    """Platform admins may name the organisation; everyone else reads their own."""

    org_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_DB_INT),
                            metadata={"description": "Platform admins: whose"})
