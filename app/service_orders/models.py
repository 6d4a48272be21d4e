"""Service-order rows: an organisation orders a pilot-scale (中试) or inspection (检验检测) service on its own.

Like a deal, an order's ``status`` changes only through its action classes (:mod:`app.service_orders.actions`),
each change appending a :class:`ServiceOrderEvent`.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Enum, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import TimestampMixin
from app.core.records import EventMixin, PdfDocumentMixin


class OrderStatus(str, enum.Enum):
    """request → quote → accept → pay → in progress → report delivered → completed (or cancel / dispute)."""

    requested = "requested"  # the customer asked; the provider quotes or declines
    quoted = "quoted"  # the customer accepts or declines the quote
    awaiting_payment = "awaiting_payment"
    in_progress = "in_progress"  # paid (money held); the provider works and delivers a report
    report_delivered = "report_delivered"  # the customer confirms, which releases the money
    disputed = "disputed"
    completed = "completed"
    declined = "declined"
    cancelled = "cancelled"
    expired = "expired"


TERMINAL = frozenset({OrderStatus.completed, OrderStatus.declined, OrderStatus.cancelled, OrderStatus.expired})


class ServiceOrder(TimestampMixin, db.Model):
    """An order of one service offer: the customer is the buyer, the provider the seller."""

    __tablename__ = "service_orders"

    payable_kind = "service_order"
    payment_mode = "service_order"  # the platform fee of service orders (config PLATFORM_FEES)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("service_offers.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    request_text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[OrderStatus] = mapped_column(
        Enum(OrderStatus, native_enum=False, length=32), default=OrderStatus.requested, nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    quote_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quote_lead_time_days: Mapped[int | None] = mapped_column(Integer)
    quote_note: Mapped[str | None] = mapped_column(Text)
    report_summary: Mapped[str | None] = mapped_column(Text)
    disputed_from: Mapped[str | None] = mapped_column(String(32))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __mapper_args__ = {"version_id_col": version}

    offer = relationship("ServiceOffer", lazy="joined")
    buyer_org = relationship("Organisation", foreign_keys=[buyer_org_id], lazy="joined")
    seller_org = relationship("Organisation", foreign_keys=[seller_org_id], lazy="joined")
    events = relationship("ServiceOrderEvent", order_by="ServiceOrderEvent.id", lazy="select", viewonly=True)
    documents = relationship("ServiceOrderDocument", order_by="ServiceOrderDocument.id", lazy="select",
                             viewonly=True)

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def payable_amount(self) -> Decimal | None:
        """The accepted quote (CNY)."""
        return self.quote_amount

    @property
    def report(self) -> ServiceOrderDocument | None:
        """The provider's latest report."""
        return next((d for d in reversed(self.documents) if d.kind == "report"), None)


class ServiceOrderEvent(EventMixin, db.Model):
    """One transition of a service order."""

    __tablename__ = "service_order_events"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("service_orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor = relationship("User", foreign_keys="ServiceOrderEvent.actor_user_id")


class ServiceOrderDocument(PdfDocumentMixin, db.Model):
    """A PDF of a service order (the provider's report)."""

    __tablename__ = "service_order_documents"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("service_orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
