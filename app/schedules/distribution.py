"""Revenue distribution of institutions: rules (beneficiaries and shares, the default or one patent's) and the
statements each released payment produces, with exports for the finance office.

A released schedule item's net amount — what the seller organisation is owed for it, after the platform fee —
is split by the seller's rule (the patent's own, else its default) with largest-remainder rounding, so the
statements of one payment sum exactly to its net amount in fen. A reversal adds the counter-entry of each
statement. Statements are never changed.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.uow import unit_of_work
from app.core.workflow import load
from app.patents.models import Patent
from app.payments import ledger
from app.payments import service as payments
from app.payments.models import LedgerAccount
from app.schedules.models import DistributionRule, DistributionShare, DistributionStatement, ScheduleItem
from app.schedules.plan import largest_remainder
from app.schedules.policy import distribution_policy
from app.transactions.schemas import decimal

BENEFICIARY_KINDS = {"inventor": _l("Inventors"), "school": _l("School / university"),
                     "department": _l("Department"), "institution": _l("Institute"), "other": _l("Other")}


class ShareSchema(Schema):
    """One beneficiary and its share in percent."""

    beneficiary = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(list(BENEFICIARY_KINDS)))
    percent = decimal(required=True, high=100, low_inclusive=False)


class RuleSchema(Schema):
    """A distribution rule: the organisation's default (no ``patent_id``) or one of its patents'."""

    patent_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    shares = fields.List(fields.Nested(ShareSchema), required=True, validate=validate.Length(min=1, max=30))

    @validates_schema
    def _shares_sum_to_100(self, data, **kwargs):
        total = sum((share["percent"] for share in data.get("shares") or []), Decimal(0))
        if total != 100:
            raise ValidationError(f"the shares sum to {total}%, not 100%", "shares")


def _org_of(identity: Identity, org_id: int | None) -> int:
    """The organisation whose distribution ``identity`` reads (its own unless a platform admin names one)."""
    org_id = org_id if org_id is not None else identity.org_id
    distribution_policy.require("read", identity, _Owned(org_id),
                                message="you may only see your own organisation's distribution")
    return org_id


class _Owned:
    """An object owned by ``org_id`` (what the policy's generators ask about)."""

    def __init__(self, org_id: int):
        self.org_id = org_id


@unit_of_work
def set_rule(identity: Identity, data: dict, *, uow) -> DistributionRule:
    """Set the identity's institution's default rule, or one patent's (replacing its shares)."""
    distribution_policy.require("create", identity,
                                message="only universities and research institutes set distribution rules")
    distribution_policy.require("manage", identity, _Owned(identity.org_id),
                                message="only your organisation's admins set its distribution rules")
    loaded = load(RuleSchema, data)
    if loaded["patent_id"] is not None:
        if loaded["patent_id"] not in {patent.id for patent in own_patents(identity)}:
            raise ValidationFailed({"patent_id": ["not one of your organisation's patents"]})
    rule = uow.session.scalar(select(DistributionRule).where(
        DistributionRule.org_id == identity.org_id, DistributionRule.patent_id.is_(None)
        if loaded["patent_id"] is None else DistributionRule.patent_id == loaded["patent_id"]).with_for_update())
    if rule is None:
        rule = DistributionRule(org_id=identity.org_id, patent_id=loaded["patent_id"])
        uow.session.add(rule)
    rule.note = loaded["note"]
    rule.shares = [DistributionShare(position=n, beneficiary=s["beneficiary"], kind=s["kind"], percent=s["percent"])
                   for n, s in enumerate(loaded["shares"])]
    uow.session.flush()
    return rule


def rules(identity: Identity, org_id: int | None = None) -> list[DistributionRule]:
    """The rules of an organisation (its own members, platform admins): the default first, then per patent."""
    org_id = _org_of(identity, org_id)
    return list(db.session.scalars(select(DistributionRule).where(DistributionRule.org_id == org_id)
                                   .order_by(DistributionRule.patent_id.is_not(None), DistributionRule.id)))


def own_patents(identity: Identity) -> list:
    """The identity's organisation's patents (the choices of a per-patent rule)."""
    if identity.org_id is None:
        return []
    return list(db.session.scalars(select(Patent).where(Patent.org_id == identity.org_id).order_by(Patent.id)))


def rule_for(org_id: int, patent_ids: list[int]) -> DistributionRule | None:
    """The rule that applies: the first of the patents' own rules, else the organisation's default."""
    candidates = db.session.scalars(select(DistributionRule).where(DistributionRule.org_id == org_id)).all()
    by_patent = {rule.patent_id: rule for rule in candidates}
    return next((by_patent[p] for p in patent_ids if p in by_patent), by_patent.get(None))


def distribute(item: ScheduleItem, *, uow) -> list[DistributionStatement]:
    """The statements of a just-released item: its net amount split by the seller's rule (none without a rule)."""
    payment = payments.payment_of(item)
    rule = rule_for(item.seller_org_id, [p.id for p in item.deal.patents])
    balances = ledger.balances(payment_id=payment.id, session=uow.session)
    net = balances[LedgerAccount.seller_payable.value] + balances[LedgerAccount.payout.value]
    if rule is None or net <= 0:
        return []
    amounts = largest_remainder(net, [share.percent for share in rule.shares])
    rows = [DistributionStatement(org_id=item.seller_org_id, item_id=item.id, payment_id=payment.id, rule_id=rule.id,
                                  entry="release", beneficiary=share.beneficiary, kind=share.kind,
                                  percent=share.percent, amount=amount)
            for share, amount in zip(rule.shares, amounts, strict=False)]
    uow.session.add_all(rows)
    return rows


def reverse(item: ScheduleItem, *, uow) -> list[DistributionStatement]:
    """The counter-entries of a reversed item's statements (each beneficiary gives back exactly its part)."""
    released = uow.session.scalars(select(DistributionStatement).where(
        DistributionStatement.item_id == item.id, DistributionStatement.entry == "release")).all()
    rows = [DistributionStatement(org_id=s.org_id, item_id=s.item_id, payment_id=s.payment_id, rule_id=s.rule_id,
                                  entry="reversal", beneficiary=s.beneficiary, kind=s.kind, percent=s.percent,
                                  amount=-s.amount) for s in released]
    uow.session.add_all(rows)
    return rows


def statements(identity: Identity, org_id: int | None = None) -> list[DistributionStatement]:
    """The statements of an organisation, oldest first (its members, platform admins)."""
    org_id = _org_of(identity, org_id)
    return list(db.session.scalars(select(DistributionStatement).where(DistributionStatement.org_id == org_id)
                                   .order_by(DistributionStatement.id)))


EXPORT_COLUMNS = ("statement", "date", "deal", "item", "payment", "entry", "beneficiary", "kind", "percent",
                  "amount_cny")


def export_rows(rows: list[DistributionStatement]) -> list[list]:
    """The finance office's columns of each statement (amounts in yuan with two decimals)."""
    return [[s.id, s.created_at.date().isoformat(), s.item.deal_id, s.item.title, s.payment_id, s.entry,
             s.beneficiary, s.kind, f"{s.percent:.2f}", f"{Decimal(s.amount) / 100:.2f}"] for s in rows]


def export_csv(rows: list[DistributionStatement]) -> str:
    """The statements as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(export_rows(rows))
    return "\ufeff" + buffer.getvalue()
