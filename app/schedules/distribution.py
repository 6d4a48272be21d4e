"""Revenue distribution of institutions: rules (beneficiaries and shares, the default or one patent's) and the
statements each released payment produces, with exports for the finance office.

Every released payment to the institution — a schedule item, an ordinary deal's upfront fee, a sale deposit, a
service order — produces statements: its net amount (what the seller organisation is owed, after the platform
fee) is split by the seller's rule (the patent's own, else its default) with largest-remainder rounding, so the
statements of one payment sum exactly to its net amount in fen. A reversal adds the counter-entry of each
statement. Statements are never changed. The finance office exports them as CSV or XLSX.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.core.extensions import db
from app.core.formatting import local_date
from app.core.identity import Identity
from app.core.spreadsheet import MIME, Column, Sheet, xlsx_bytes, zone_note
from app.core.uow import unit_of_work
from app.core.workflow import load
from app.deals.models import Deal
from app.patents.models import Patent
from app.payments import ledger
from app.payments.models import LedgerAccount
from app.sales.models import Sale, SaleParticipant
from app.schedules.models import DistributionRule, DistributionShare, DistributionStatement, ScheduleItem
from app.schedules.plan import largest_remainder
from app.schedules.policy import distribution_policy
from app.schedules.service import schedule_service
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


def _revenue_source(payable) -> tuple[int | None, int | None, list[int], str | None]:
    """``(deal_id, item_id, patent ids, title)`` of what a payable's money paid for: a schedule item of a deal,
    a deal (its upfront fee), a sale's deposit (the sale's patent), or anything else (a service order: no
    patent, so the organisation's default rule)."""
    if isinstance(payable, ScheduleItem):
        return payable.deal_id, payable.id, [p.id for p in payable.deal.patents], payable.title
    if isinstance(payable, Deal):
        return payable.id, None, [p.id for p in payable.patents], payable.title
    if isinstance(payable, SaleParticipant):
        sale = db.session.get(Sale, payable.sale_id)
        return sale.deal_id, None, [sale.patent_id], sale.title
    return None, None, [], getattr(payable, "title", None)


def distribute(payable, payment, *, uow) -> list[DistributionStatement]:
    """The statements of a just-released payment to an institution: its net amount (what the seller is owed
    after the platform fee) split by the rule of the patent it paid for, else the organisation's default (none
    without a rule). Registered with the payments package, so every release produces them."""
    deal_id, item_id, patent_ids, title = _revenue_source(payable)
    rule = rule_for(payment.seller_org_id, patent_ids)
    if rule is None:
        return []
    balances = ledger.balances(payment_id=payment.id, session=uow.session)
    net = balances[LedgerAccount.seller_payable.value] + balances[LedgerAccount.payout.value]
    if net <= 0:
        return []
    amounts = largest_remainder(net, [share.percent for share in rule.shares])
    rows = [DistributionStatement(org_id=payment.seller_org_id, item_id=item_id, deal_id=deal_id,
                                  title=(title or "")[:300] or None, payment_id=payment.id, rule_id=rule.id,
                                  entry="release", beneficiary=share.beneficiary, kind=share.kind,
                                  percent=share.percent, amount=amount)
            for share, amount in zip(rule.shares, amounts, strict=True)]
    uow.session.add_all(rows)
    return rows


def reverse(payable, payment, *, uow) -> list[DistributionStatement]:
    """The counter-entries of a reversed payment's statements (each beneficiary gives back exactly its part)."""
    released = uow.session.scalars(select(DistributionStatement).where(
        DistributionStatement.payment_id == payment.id, DistributionStatement.entry == "release")).all()
    rows = [DistributionStatement(org_id=s.org_id, item_id=s.item_id, deal_id=s.deal_id, title=s.title,
                                  payment_id=s.payment_id, rule_id=s.rule_id, entry="reversal",
                                  beneficiary=s.beneficiary, kind=s.kind, percent=s.percent, amount=-s.amount)
            for s in released]
    uow.session.add_all(rows)
    return rows


def statements(identity: Identity, org_id: int | None = None) -> list[DistributionStatement]:
    """The statements of an organisation, oldest first (its members, platform admins)."""
    org_id = _org_of(identity, org_id)
    return list(db.session.scalars(select(DistributionStatement).where(DistributionStatement.org_id == org_id)
                                   .order_by(DistributionStatement.id)))


ENTRY_LABELS = {"release": _l("Release"), "reversal": _l("Reversal")}


def export_columns() -> list[Column]:
    """The finance office's columns, headed in the reader's language."""
    return [Column(_("Statement"), "count", 10), Column(_("Date"), "date", 12), Column(_("Deal"), "count", 8),
            Column(_("Paid for"), width=30), Column(_("Payment"), "count", 10), Column(_("Entry"), width=10),
            Column(_("Beneficiary"), width=24), Column(_("Kind"), width=16), Column(_("Share (%)"), "percent", 10),
            Column(_("Amount (yuan)"), "money", 16)]


def _paid_for(statement: DistributionStatement) -> str:
    """What the payment paid for: a schedule item's name in the reader's language, else the stored title."""
    if statement.item is not None:
        return schedule_service.display_title(statement.item)
    return statement.title or ""


def export_rows(rows: list[DistributionStatement]) -> list[list]:
    """Each statement's cells: its date in the display time zone, labels not codes, the amount in yuan."""
    return [[s.id, local_date(s.created_at), s.deal_id, _paid_for(s), s.payment_id,
             str(ENTRY_LABELS.get(s.entry, s.entry)), s.beneficiary, str(BENEFICIARY_KINDS.get(s.kind, s.kind)),
             Decimal(s.percent), (Decimal(s.amount) / 100).quantize(Decimal("0.01"))] for s in rows]


def export_csv(rows: list[DistributionStatement]) -> str:
    """The statements as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese; plain numbers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in export_columns()])
    writer.writerows([cell.isoformat() if isinstance(cell, date) else ("" if cell is None else cell)
                      for cell in row] for row in export_rows(rows))
    return "\ufeff" + buffer.getvalue()


def export_xlsx(rows: list[DistributionStatement]) -> bytes:
    """The statements as an XLSX sheet: amounts as numbers formatted in yuan, dates in the display time zone."""
    return xlsx_bytes([Sheet(_("Distribution statements"), export_columns(), export_rows(rows),
                             [_("Distribution statements"), zone_note()])])


EXPORTS = {"csv": (export_csv, "text/csv"), "xlsx": (export_xlsx, MIME)}
