"""Sale schemas: putting a patent up (挂牌, auction, open licence), a bid, and what the API shows."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.deals.contract import BEIJING
from app.sales.models import SaleKind
from app.transactions.schemas import decimal


class SaleTermsSchema(Schema):
    """The terms a buyer gets besides the price (the deal's OfferTermsSchema fields the seller fixes)."""

    territory = fields.String(load_default="中国大陆", validate=validate.Length(min=1, max=200))
    field_of_use = fields.String(load_default="不限", validate=validate.Length(min=1, max=500))
    term_months = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=600))
    royalty_rate = decimal(high=100, load_default=None, allow_none=True, metadata={"description": "Percent of net sales"})
    conditions = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class CreateSaleSchema(Schema):
    """Putting one of your organisation's published patents up for public sale.

    ``listing`` (挂牌) needs ``price`` (the fixed price) and the ``increment`` and ``deposit`` of the auction that
    follows if several buyers are interested; ``auction`` needs ``price`` (the opening price), ``increment``,
    ``deposit``, ``ends_at`` and optionally ``reserve_price``; ``open_licence`` needs ``price`` (the licence fee) and
    ``terms.term_months``.
    """

    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SaleKind]))
    patent_id = fields.Integer(required=True, validate=validate.Range(min=1))
    price = decimal(required=True, low_inclusive=False)
    reserve_price = decimal(load_default=None, allow_none=True, low_inclusive=False)
    increment = decimal(load_default=None, allow_none=True, low_inclusive=False)
    deposit = decimal(load_default=None, allow_none=True, low_inclusive=False)
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=BEIJING,
                                 metadata={"description": "When bidding ends (China time when no offset is given)"})
    terms = fields.Nested(SaleTermsSchema, load_default=lambda: SaleTermsSchema().load({}))

    @validates_schema
    def _kind_needs(self, data, **kwargs):
        kind, errors = data.get("kind"), {}
        if kind in ("listing", "auction"):
            for name in ("increment", "deposit"):
                if data.get(name) is None:
                    errors[name] = ["required for a listing or an auction"]
        if kind == "auction":
            if data.get("ends_at") is None:
                errors["ends_at"] = ["required for an auction"]
            reserve = data.get("reserve_price")
            if reserve is not None and data.get("price") is not None and reserve < data["price"]:
                errors["reserve_price"] = ["must not be below the opening price"]
        if kind == "open_licence" and not (data.get("terms") or {}).get("term_months"):
            errors["terms"] = {"term_months": ["a licence needs its term in months"]}
        if errors:
            raise ValidationError(errors)


class BidSchema(Schema):
    """A bid (CNY); at least the current price plus the increment (the opening price for the first bid)."""

    amount = decimal(required=True, low_inclusive=False)


class ObjectionSchema(Schema):
    """An objection to a 挂牌 listing (e.g. a disputed ownership), seen by the platform admins."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class SaleListArgs(Schema):
    """Filters of the public list of sales."""

    kind = fields.String(load_default=None, validate=validate.OneOf([k.value for k in SaleKind]))
    open = fields.Boolean(load_default=True, metadata={"description": "Only sales still running"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class BidOutSchema(Schema):
    """One bid of the public history: the bidder is only 竞买人N."""

    bidder = fields.String(metadata={"description": "竞买人N, the bidder's registration number"})
    amount = fields.String()
    created_at = fields.DateTime()
    extended_to = fields.DateTime(allow_none=True, metadata={"description": "The new end, when it extended it"})


class SaleActionSchema(Schema):
    """An action the caller may run now, with its input fields."""

    name = fields.String()
    label = fields.Function(lambda a: str(a.label), metadata={"type": "string"})
    fields_ = fields.Function(lambda a: sorted(a.schema().fields) if a.schema else [], data_key="fields",
                              metadata={"type": "array", "items": {"type": "string"}})


def _money(value):
    return None if value is None else f"{value:.2f}"


MONEY = {"type": "string", "format": "decimal", "description": "CNY (元)"}


class SaleSchema(Schema):
    """A sale as anyone sees it, plus the reader's own standing (``me``) and what they may do next."""

    id = fields.Integer()
    kind = fields.Function(lambda s: s.kind.value, metadata={"type": "string"})
    status = fields.Function(lambda s: s.status.value, metadata={"type": "string"})
    version = fields.Integer()
    title = fields.String()
    patent = fields.Function(lambda s: {"id": s.patent.id, "title": s.patent.title,
                                        "patent_number": s.patent.patent_number},
                             metadata={"type": "object", "description": "`id`, `title`, `patent_number`"})
    seller = fields.Function(lambda s: {"id": s.seller_org.id, "name": s.seller_org.name},
                             metadata={"type": "object", "description": "`id` and `name`"})
    terms = fields.Dict()
    price = fields.Function(lambda s: _money(s.price), allow_none=True, metadata=MONEY)
    increment = fields.Function(lambda s: _money(s.increment), allow_none=True, metadata=MONEY)
    deposit = fields.Function(lambda s: _money(s.deposit), allow_none=True, metadata=MONEY)
    current_price = fields.Function(lambda s: _money(s.current_price), allow_none=True, metadata=MONEY)
    notice_ends_at = fields.DateTime(allow_none=True)
    ends_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    # Computed per reader by SaleService.view and set on the object before dumping.
    status_label = fields.String()
    reserve_met = fields.Boolean(allow_none=True, metadata={"description": "The reserve itself stays secret"})
    minimum_bid = fields.String(allow_none=True)
    seconds_left = fields.Integer(allow_none=True)
    interested = fields.Integer(metadata={"description": "Organisations that registered interest"})
    bidders = fields.Integer(metadata={"description": "Registered bidders with their deposit held"})
    licences_taken = fields.Integer()
    bids = fields.List(fields.Nested(BidOutSchema), attribute="bids_public")
    me = fields.Dict(metadata={"description": "Your role, bidder number, deposit, whether you lead, your deal"})
    next_actions = fields.List(fields.Nested(SaleActionSchema))
