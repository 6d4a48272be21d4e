"""Analytics rows: which organisations the platform incubates (孵化企业), a figure the annual review counts.

Kept in its own table rather than as columns of ``organisations`` so the flag has its own history-friendly row
(who set it, when) and the organisations package stays untouched; every change is also written to the audit log.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import utcnow
from app.deals.models import Deal
from app.payments.models import LedgerTransaction
from app.service_orders.models import ServiceOrder


class OrgIncubation(db.Model):
    """An organisation the platform counts as incubated since ``incubated_on`` (one row per organisation)."""

    __tablename__ = "org_incubations"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    incubated_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow,
                                                 nullable=False)

    organisation = relationship("Organisation")


def _dashboard_indexes() -> list[Index]:
    """Indexes the dashboard queries range over (dates of contracts, completions, payments), declared here so
    the tables' own packages stay unchanged; migrations ``0012_figures`` and ``0013_figures_speed`` create them."""
    return [
        Index("ix_deals_created_at", Deal.created_at),
        Index("ix_deals_approved_at", Deal.approved_at),
        Index("ix_deals_completed_at", Deal.completed_at),
        Index("ix_service_orders_completed_at", ServiceOrder.completed_at),
        Index("ix_ledger_transactions_created_at", LedgerTransaction.created_at),
        # 0013_figures_speed: who was active in a period, read index-only.
        Index("ix_deals_created_at_buyer", Deal.created_at, Deal.buyer_org_id),
        Index("ix_deals_created_at_seller", Deal.created_at, Deal.seller_org_id),
        Index("ix_service_orders_created_at_buyer", ServiceOrder.created_at, ServiceOrder.buyer_org_id),
        Index("ix_service_orders_created_at_seller", ServiceOrder.created_at, ServiceOrder.seller_org_id),
    ]


DASHBOARD_INDEXES = _dashboard_indexes()
