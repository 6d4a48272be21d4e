"""Deal schemas: the input of deal creation, offers, messages and each action, and the API's output.

Offer terms are validated field by field (422 naming each bad field) and stored as the JSON this schema dumps,
so an accepted offer, the deal's terms, the contract snapshot and the registration export all agree.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.records import PdfUpload
from app.listings.models import CoopMode
from app.transactions.schemas import DocumentSchema, decimal

LICENCES = {CoopMode.exclusive_licence.value, CoopMode.sole_licence.value, CoopMode.non_exclusive_licence.value}

class MilestoneSchema(Schema):
    """A later payment tied to an event (e.g. 中试通过后支付), part of the payment schedule."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    amount = decimal(required=True)
    due = fields.Date(load_default=None, allow_none=True)
    deliverable = fields.String(allow_none=True, validate=validate.Length(max=2000))
    acceptance_criterion = fields.String(allow_none=True, validate=validate.Length(max=2000))


class InstalmentSchema(Schema):
    """A fixed amount due on a date (分期付款)."""

    amount = decimal(required=True, low_inclusive=False)
    due = fields.Date(required=True)


# How payments follow the contract: the upfront fee alone through the platform (the rest settled outside it), or
# every item of the schedule (upfront, instalments, milestones, royalties) funded and released through it.
PAYMENT_PLANS = ("upfront", "schedule")
ROYALTY_PERIODS = {"quarter": 3, "half_year": 6, "year": 12}  # months per royalty report


def has_schedule(terms: dict | None) -> bool:
    """True when the agreed terms are paid item by item through the platform's payment schedule."""
    return bool(terms) and terms.get("payment_plan") == "schedule"


class OfferTermsSchema(Schema):
    """Structured deal terms: what an offer proposes and what acceptance fixes."""

    mode = fields.String(required=True, validate=validate.OneOf([m.value for m in CoopMode]))
    territory = fields.String(required=True, validate=validate.Length(min=1, max=200))
    field_of_use = fields.String(required=True, validate=validate.Length(min=1, max=500))
    term_months = fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(min=1, max=600))
    upfront_fee = decimal(required=True)
    royalty_rate = decimal(high=100, load_default=None, allow_none=True, metadata={"description": "Percent of net sales"})
    milestones = fields.List(fields.Nested(MilestoneSchema), load_default=list, validate=validate.Length(max=20))
    conditions = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    payment_plan = fields.String(load_default="upfront", validate=validate.OneOf(PAYMENT_PLANS), metadata={
        "description": "`upfront`: only the upfront fee is paid through the platform; `schedule`: every item"})
    instalments = fields.List(fields.Nested(InstalmentSchema), load_default=list, validate=validate.Length(max=20))
    royalty_minimum_annual = decimal(load_default=None, allow_none=True,
                                     metadata={"description": "Minimum royalty per contract year (CNY)"})
    royalty_period = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(ROYALTY_PERIODS)),
                                   metadata={"description": "How often the licensee reports sales"})

    @validates_schema
    def _licences_have_a_term(self, data, **kwargs):
        if data.get("mode") in LICENCES and data.get("term_months") is None:
            raise ValidationError("a licence needs its term in months", "term_months")

    @validates_schema
    def _something_is_paid(self, data, **kwargs):
        """A zero upfront fee is a royalty-only (or instalment, milestone) deal, paid through the schedule."""
        fee = data.get("upfront_fee")
        if fee is None or fee > 0:
            return
        if data.get("payment_plan") != "schedule":
            raise ValidationError("a zero upfront fee needs the payment schedule (payment_plan: schedule)",
                                  "upfront_fee")
        if not (data.get("royalty_rate") or data.get("instalments") or data.get("milestones")):
            raise ValidationError("with no upfront fee, agree royalties, instalments or milestones", "upfront_fee")

    @validates_schema
    def _royalties_are_reported(self, data, **kwargs):
        """Royalties through the schedule need a reporting period and a term to divide into periods."""
        if data.get("payment_plan") != "schedule" or not data.get("royalty_rate"):
            if data.get("royalty_minimum_annual") and not data.get("royalty_rate"):
                raise ValidationError("a minimum annual royalty needs a royalty rate", "royalty_minimum_annual")
            return
        if not data.get("royalty_period"):
            raise ValidationError("say how often sales are reported", "royalty_period")
        if data.get("term_months") is None:
            raise ValidationError("royalties need the term in months", "term_months")

    def stored(self, data: dict) -> dict:
        """Loaded terms as the JSON stored on offers and deals."""
        return self.dump(data)


class ConcludeSaleSchema(Schema):
    """Input of ``conclude_sale`` (the system, for :mod:`app.sales`): the terms the public sale fixed."""

    sale_id = fields.Integer(required=True, strict=True)
    terms = fields.Nested(OfferTermsSchema, required=True)
    standard_terms = fields.Boolean(load_default=False,
                                    metadata={"description": "An open licence: contract approved, pay at once"})


class CreateDealSchema(Schema):
    """Opening a deal: the patent (or a bundle of one seller's patents), the inquiry, optionally its origin."""

    patent_id = fields.Integer(validate=validate.Range(min=1))
    patent_ids = fields.List(fields.Integer(validate=validate.Range(min=1)),
                             validate=validate.Length(min=1, max=20))
    demand_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    match_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    message = fields.String(required=True, validate=validate.Length(min=2, max=5000))

    @validates_schema
    def _one_patent_at_least(self, data, **kwargs):
        if not data.get("patent_id") and not data.get("patent_ids") and not data.get("match_id"):
            raise ValidationError("name the patent (patent_id or patent_ids) or the match (match_id)", "patent_id")


class MessageSchema(Schema):
    """A message of the deal's thread, with optional PDF attachments."""

    id = fields.Integer(dump_only=True)
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    author = fields.Function(lambda m: m.author.display_name if m.author else None, dump_only=True)
    author_org = fields.Function(lambda m: m.author_org.name if m.author_org else None, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    attachments = fields.Function(lambda m: [DocumentSchema().dump(d) for d in m.attachments], dump_only=True)


class OfferSchema(Schema):
    """An offer as the API shows it."""

    id = fields.Integer()
    made_by = fields.String()
    status = fields.Function(lambda o: o.status.value)
    terms = fields.Dict()
    created_at = fields.DateTime()


class TestSchema(Schema):
    """A pilot-scale test or inspection of the deal."""

    id = fields.Integer()
    kind = fields.String()
    service_offer_id = fields.Integer()
    service_offer_title = fields.Function(lambda t: t.service_offer.title)
    provider = fields.Function(lambda t: t.service_offer.organisation.name)
    requested_by = fields.String()
    plan = fields.String(allow_none=True)
    plan_agreed_at = fields.DateTime(allow_none=True)
    results = fields.String(allow_none=True)
    verdict = fields.String(allow_none=True)
    report = fields.Function(lambda t: DocumentSchema().dump(t.report) if t.report else None)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


def _party(org) -> dict:
    return {"id": org.id, "name": org.name, "credit_code": org.credit_code}


class DealSchema(Schema):
    """A deal as its parties and platform admins see it (``events`` and ``next_actions`` are added by the API)."""

    id = fields.Integer()
    title = fields.String()
    status = fields.Function(lambda d: d.status.value)
    version = fields.Integer()
    buyer = fields.Function(lambda d: _party(d.buyer_org))
    seller = fields.Function(lambda d: _party(d.seller_org))
    patents = fields.Function(lambda d: [{"id": p.id, "title": p.title, "patent_number": p.patent_number}
                                         for p in d.patents])
    demand_id = fields.Integer(allow_none=True)
    match_id = fields.Integer(allow_none=True)
    stage_deadline = fields.DateTime(allow_none=True)
    nda = fields.Function(lambda d: {"proposed_by": d.nda_proposed_by, "text": d.nda_text,
                                     "signed_at": d.nda_signed_at.isoformat() if d.nda_signed_at else None})
    terms = fields.Dict(allow_none=True)
    latest_offer = fields.Function(lambda d: OfferSchema().dump(d.latest_offer) if d.latest_offer else None)
    tests = fields.Function(lambda d: TestSchema(many=True).dump(d.tests))
    contract = fields.Function(lambda d: {
        "number": d.contract["number"], "generated_at": d.contract["generated_at"],
        "buyer_signed_at": d.buyer_signed_at.isoformat() if d.buyer_signed_at else None,
        "seller_signed_at": d.seller_signed_at.isoformat() if d.seller_signed_at else None,
        "approved_at": d.approved_at.isoformat() if d.approved_at else None,
    } if d.contract else None)
    delivered_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProposeNdaSchema(Schema):
    """Proposing an NDA: its text (the platform's template when omitted); the proposer accepts it by proposing."""

    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=20, max=20000))


class AgreeSchema(Schema):
    """A click-through acceptance (NDA, contract signature): ``agree`` must be true."""

    agree = fields.Boolean(required=True, validate=validate.Equal(True, error=_l("Tick the box to agree.")))


class BookTestSchema(Schema):
    """Booking a pilot-scale test or ordering an inspection from a provider's published service offer."""

    service_offer_id = fields.Integer(required=True, validate=validate.Range(min=1))
    plan = fields.String(required=True, validate=validate.Length(min=5, max=10000))


class ResultsSchema(Schema):
    """The results of a pilot-scale test."""

    results = fields.String(required=True, validate=validate.Length(min=2, max=10000))


class InspectionResultSchema(ResultsSchema):
    """An inspection verdict comes with the lab's report (a PDF)."""

    report = PdfUpload(required=True)
