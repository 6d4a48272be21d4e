"""Call and proposal schemas: the input of creation, revision and each action (422 naming each bad field),
and the API's output."""
from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.calls.policy import PROPOSER_KINDS
from app.core.formatting import display_timezone
from app.core.http import DecimalString
from app.core.records import PdfUpload
from app.transactions.schemas import DocumentSchema, decimal

DECLINE_CODES = ("budget", "technical", "maturity", "schedule", "team", "other")


class LocalDateTime(fields.DateTime):
    """A moment; without a zone it is read as the platform's display time (China time), stored as UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=display_timezone())
        return moment.astimezone(UTC)


class CallIndicatorSchema(Schema):
    """A required technical indicator: what is measured and the target."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    target = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CallCriterionSchema(Schema):
    """An evaluation criterion and its weight (the weights of a call sum to 100)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    weight = fields.Integer(required=True, validate=validate.Range(min=1, max=100))


class CallInputSchema(Schema):
    """A call as its enterprise writes it (on creation and when revising it for the moderator)."""

    demand_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1),
                               metadata={"description": "The enterprise's published demand the call comes from"})
    title = fields.String(required=True, validate=validate.Length(min=4, max=300))
    summary = fields.String(required=True, validate=validate.Length(min=10, max=10000),
                            metadata={"description": "Public description of the problem"})
    details = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000),
                            metadata={"description": "The full problem (behind the NDA when confidential)"})
    confidential = fields.Boolean(load_default=False)
    nda_text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000),
                             metadata={"description": "Empty: the platform's template"})
    outcomes = fields.String(required=True, validate=validate.Length(min=4, max=10000),
                             metadata={"description": "Required outcomes and deliverables"})
    indicators = fields.List(fields.Nested(CallIndicatorSchema), load_default=list, validate=validate.Length(max=20))
    industry = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    region = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                           validate=validate.Length(max=20))
    budget_min = decimal(required=True, low_inclusive=False, metadata={"description": "CNY (元)"})
    budget_max = decimal(required=True, low_inclusive=False, metadata={"description": "CNY (元)"})
    deadline = LocalDateTime(required=True, metadata={"description": "Without a zone: China time"})
    eligible_kinds = fields.List(fields.String(validate=validate.OneOf(PROPOSER_KINDS)), required=True,
                                 validate=validate.Length(min=1, max=len(PROPOSER_KINDS)))
    eligible_regions = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=list,
                                   validate=validate.Length(max=40), metadata={"description": "Empty: anywhere"})
    criteria = fields.List(fields.Nested(CallCriterionSchema), required=True, validate=validate.Length(min=1, max=10))

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors = {}
        if data.get("budget_min") is not None and data.get("budget_max") is not None \
                and data["budget_min"] > data["budget_max"]:
            errors["budget_max"] = [_l("must not be below the lower bound")]
        criteria = data.get("criteria") or []
        names = [c["name"] for c in criteria]
        if criteria and sum(c["weight"] for c in criteria) != 100:
            errors["criteria"] = [_l("the weights must sum to 100")]
        elif len(set(names)) != len(names):
            errors["criteria"] = [_l("each criterion needs its own name")]
        if data.get("confidential") and not data.get("details"):
            errors["details"] = [_l("a confidential call needs the full problem behind its NDA")]
        if errors:
            raise ValidationError(errors)


class ProposalMilestoneInputSchema(Schema):
    """One milestone of a proposal's schedule: what is delivered, how it is accepted, its amount and date."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    deliverable = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    acceptance = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                               metadata={"description": "The acceptance criterion"})
    amount = decimal(required=True, low_inclusive=False)
    due = fields.Date(required=True)


class ProposalInputSchema(Schema):
    """A proposal as its university or institute writes (and revises) it."""

    approach = fields.String(required=True, validate=validate.Length(min=10, max=20000))
    team = fields.String(required=True, validate=validate.Length(min=2, max=5000))
    trl_now = fields.Integer(required=True, validate=validate.Range(min=1, max=9),
                             metadata={"description": "Technology readiness level reached"})
    trl_target = fields.Integer(required=True, validate=validate.Range(min=1, max=9),
                                metadata={"description": "Technology readiness level the work reaches"})
    milestones = fields.List(fields.Nested(ProposalMilestoneInputSchema), required=True,
                             validate=validate.Length(min=1, max=20))
    price = decimal(required=True, low_inclusive=False, metadata={"description": "Total price, CNY (元)"})
    attachment = PdfUpload(load_default=None, metadata={"description": "A PDF (multipart/form-data)"})

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors = {}
        if data.get("trl_now") and data.get("trl_target") and data["trl_target"] < data["trl_now"]:
            errors["trl_target"] = [_l("must not be below the level reached")]
        milestones = data.get("milestones") or []
        if milestones and data.get("price") is not None and sum(m["amount"] for m in milestones) != data["price"]:
            errors["milestones"] = [_l("the milestone amounts must add up to the total price")]
        if errors:
            raise ValidationError(errors)


class CreateProposalSchema(ProposalInputSchema):
    """A new proposal: the call it answers and its content."""

    call_id = fields.Integer(required=True, validate=validate.Range(min=1))


class ScoreSchema(Schema):
    """Scores (0–100) per criterion of the call."""

    scores = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(min=0, max=100)),
                         required=True)


class DeclineSchema(Schema):
    """A coded reason the proposer sees, and an optional note."""

    code = fields.String(required=True, validate=validate.OneOf(DECLINE_CODES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class AwardSchema(Schema):
    """The proposal the enterprise awards."""

    proposal_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1))


class CallNdaSchema(Schema):
    """Accepting a confidential call's NDA."""

    agree = fields.Boolean(required=True, validate=validate.Equal(True, error=_l("tick the box to accept the NDA")))


class ProposalMessageInputSchema(Schema):
    """A message of a proposal's thread, optionally answering an earlier one."""

    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    reply_to_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


# ---------------------------------------------------------------- output


def _org(org) -> dict:
    return {"id": org.id, "name": org.name}


ORG = {"type": "object", "description": "An organisation: `id` and `name`"}


class CallSchema(Schema):
    """A call as a reader sees it (``details`` and ``nda_text`` only where the reader may read them)."""

    id = fields.Integer()
    title = fields.String()
    status = fields.Function(lambda c: c.status.value, metadata={"type": "string"})
    version = fields.Integer()
    buyer = fields.Function(lambda c: _org(c.buyer_org), metadata=ORG)
    demand_id = fields.Integer(allow_none=True)
    summary = fields.String()
    confidential = fields.Boolean()
    outcomes = fields.String()
    indicators = fields.List(fields.Nested(CallIndicatorSchema))
    industry = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    keywords = fields.List(fields.String())
    budget_min = DecimalString(places=2, metadata={"description": "CNY (元)"})
    budget_max = DecimalString(places=2, metadata={"description": "CNY (元)"})
    deadline = fields.DateTime()
    deadline_passed = fields.Boolean()
    eligible_kinds = fields.List(fields.String())
    eligible_regions = fields.List(fields.String())
    criteria = fields.List(fields.Nested(CallCriterionSchema))
    moderation_note = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    no_award_reason = fields.String(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CallDetailSchema(CallSchema):
    """One call with what its NDA guards (null when the reader has not accepted it)."""

    details = fields.String(allow_none=True)
    nda_text = fields.String(allow_none=True)
    details_visible = fields.Boolean(metadata={"description": "False until the reader accepted the NDA"})
    proposal_count = fields.Integer(allow_none=True,
                                    metadata={"description": "For the owner after the deadline and the platform"})
    status_label = fields.String()
    next_actions = fields.List(fields.Dict(), metadata={"description": "What the reader may do now"})


class ProposalMilestoneSchema(Schema):
    """A milestone as stored (amount and date as strings)."""

    title = fields.String()
    deliverable = fields.String()
    acceptance = fields.String()
    amount = fields.String()
    due = fields.String()


class ProposalSchema(Schema):
    """A proposal as its readers (proposer, platform, the enterprise after the deadline) see it."""

    id = fields.Integer()
    call_id = fields.Integer()
    title = fields.String()
    status = fields.Function(lambda p: p.status.value, metadata={"type": "string"})
    version = fields.Integer()
    buyer = fields.Function(lambda p: _org(p.buyer_org), metadata=ORG)
    seller = fields.Function(lambda p: _org(p.seller_org), metadata=ORG)
    approach = fields.String()
    team = fields.String()
    trl_now = fields.Integer()
    trl_target = fields.Integer()
    milestones = fields.List(fields.Nested(ProposalMilestoneSchema))
    price = DecimalString(places=2, metadata={"description": "CNY (元)"})
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True,
                         metadata={"description": "The enterprise's score (0–100) per criterion"})
    weighted_score = DecimalString(allow_none=True)
    decline_code = fields.String(allow_none=True)
    decline_note = fields.String(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    documents = fields.List(fields.Nested(DocumentSchema))
    stage_deadline = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProposalMessageSchema(Schema):
    """A message of a proposal's thread."""

    id = fields.Integer()
    reply_to_id = fields.Integer(allow_none=True)
    body = fields.String()
    author = fields.Function(lambda m: m.author.display_name if m.author else None, allow_none=True,
                             metadata={"type": "string"})
    author_org = fields.Function(lambda m: m.author_org.name if m.author_org else None, allow_none=True,
                                 metadata={"type": "string"})
    created_at = fields.DateTime()
