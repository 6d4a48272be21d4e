"""One organisation's own dashboard: its listings' views, the inquiries and deals it takes part in, the income
it received and expects, and the royalty reports it owes or awaits.

Read-only; asked through :class:`~app.analytics.policy.AnalyticsPolicy` (``read_org``): the organisation's
people and platform admins.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, or_, select

from app.analytics.filters import Filters
from app.analytics.market import to_yuan
from app.analytics.policy import require
from app.analytics.sql import china_month, json_money
from app.core.errors import NotFound
from app.core.extensions import db
from app.core.identity import Identity
from app.deals.models import Deal, DealStatus
from app.listings.registry import listing_services
from app.orgs.models import Organisation
from app.payments.models import LedgerAccount, LedgerEntry, LedgerTransaction
from app.schedules.models import ItemKind, ItemStatus, ScheduleItem
from app.service_orders.models import OrderStatus, ServiceOrder

# Deals and orders whose money is agreed but not yet released to the seller.
_DEALS_OWED = (DealStatus.awaiting_payment, DealStatus.paid, DealStatus.delivered, DealStatus.disputed)
_ORDERS_OWED = (OrderStatus.awaiting_payment, OrderStatus.in_progress, OrderStatus.report_delivered,
                OrderStatus.disputed)


def royalty_reports_due(org_id: int) -> list[dict]:
    """The royalty reports this organisation must file (as licensee) or review (as licensor), soonest first:
    ``deal_id``, ``item_id``, ``period`` (start–end) and ``due`` (a date, None for a report awaiting review)."""
    rows = db.session.execute(
        select(ScheduleItem.id, ScheduleItem.deal_id, ScheduleItem.period_start, ScheduleItem.period_end,
               ScheduleItem.due_date, ScheduleItem.status)
        .join(Deal, Deal.id == ScheduleItem.deal_id)
        .where(ScheduleItem.kind == ItemKind.royalty,
               ((ScheduleItem.status.in_([ItemStatus.awaiting_report, ItemStatus.report_disputed]))
                & (Deal.buyer_org_id == org_id))
               | ((ScheduleItem.status == ItemStatus.report_filed) & (Deal.seller_org_id == org_id)))
        .order_by(ScheduleItem.due_date, ScheduleItem.id)
    ).all()
    return [{"deal_id": row.deal_id, "item_id": row.id, "period": f"{row.period_start} – {row.period_end}",
             "due": row.due_date if row.status != ItemStatus.report_filed else None} for row in rows]


def listings(org_id: int) -> dict:
    """Per resource: ``count`` of listings and their ``views`` (running totals)."""
    figures = {}
    for resource, service in listing_services().items():
        model = service.model
        count, views = db.session.execute(select(func.count(), func.coalesce(func.sum(model.view_count), 0))
                                          .where(model.org_id == org_id)).one()
        figures[resource] = {"count": count, "views": int(views)}
    return figures


def deals(org_id: int, filters: Filters) -> dict:
    """Deals opened in the period: ``received`` (as seller), ``sent`` (as buyer) inquiries, and per status."""
    in_period = (Deal.created_at >= filters.since, Deal.created_at < filters.until)
    received = db.session.scalar(select(func.count()).where(Deal.seller_org_id == org_id, *in_period))
    sent = db.session.scalar(select(func.count()).where(Deal.buyer_org_id == org_id, *in_period))
    by_status = dict(db.session.execute(
        select(Deal.status, func.count())
        .where(or_(Deal.seller_org_id == org_id, Deal.buyer_org_id == org_id), *in_period)
        .group_by(Deal.status)).all())
    return {"received": received, "sent": sent,
            "by_status": {status.value: by_status.get(status, 0) for status in DealStatus if by_status.get(status)}}


def income(org_id: int, filters: Filters) -> dict:
    """``received`` per month (money released to the organisation as seller, from the ledger) and ``expected``:
    agreed but not yet released (approved contracts and accepted service quotes still in progress)."""
    month = china_month(LedgerTransaction.created_at).label("month")
    received = {m: to_yuan(Decimal(v or 0) / 100) for m, v in db.session.execute(
        select(month, func.sum(LedgerEntry.amount))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.account == LedgerAccount.seller_payable, LedgerEntry.org_id == org_id,
               LedgerTransaction.kind == "release",
               LedgerTransaction.created_at >= filters.since, LedgerTransaction.created_at < filters.until)
        .group_by(month).order_by(month))}
    expected_deals = db.session.scalar(select(func.sum(json_money(Deal.terms, "upfront_fee"))).where(
        Deal.seller_org_id == org_id, Deal.status.in_(_DEALS_OWED)))
    expected_orders = db.session.scalar(select(func.sum(ServiceOrder.quote_amount)).where(
        ServiceOrder.seller_org_id == org_id, ServiceOrder.status.in_(_ORDERS_OWED)))
    return {"received": received, "received_total": to_yuan(sum(received.values())),
            "expected": to_yuan(Decimal(expected_deals or 0) + Decimal(expected_orders or 0))}


def org_figures(identity: Identity, org_id: int, filters: Filters) -> dict:
    """Every figure of an organisation's dashboard (AnalyticsPolicy ``read_org``)."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("organisation")
    require("read_org", identity, org)
    return {"org": org, "filters": filters, "listings": listings(org_id), "deals": deals(org_id, filters),
            "income": income(org_id, filters), "royalty_reports_due": royalty_reports_due(org_id)}
