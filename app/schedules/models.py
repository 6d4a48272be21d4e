"""Schedule rows: the items a signed contract's terms become, their events and documents, and the revenue
distribution rules and statements of the seller's institution.

A :class:`ScheduleItem` is a workflow subject of its own (its status changes only through the action classes of
:mod:`app.schedules.actions`, each change appending a :class:`ScheduleItemEvent`) and a payable of the payments
package (``payable_kind = "schedule_item"``): each item is funded, held and released like a deal's upfront fee.
Money columns are integers in fen.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import TimestampMixin, utcnow
from app.core.records import EventMixin, PdfDocumentMixin


class ItemKind(str, enum.Enum):
    """What a schedule item pays for."""

    upfront = "upfront"  # the upfront fee (入门费)
    instalment = "instalment"  # a fixed amount due on a date (分期付款)
    milestone = "milestone"  # paid against a deliverable the buyer accepts (里程碑)
    royalty = "royalty"  # one reporting period's running royalty (提成)
    shortfall = "shortfall"  # the top-up of a contract year's royalties to the annual minimum (保底差额)


class ItemStatus(str, enum.Enum):
    """Where a schedule item stands (see the machine in :mod:`app.schedules.actions`)."""

    scheduled = "scheduled"  # created; opened at once (a separate status so the history starts the same way)
    awaiting_report = "awaiting_report"  # royalty: the licensee files the period's report
    report_filed = "report_filed"  # royalty: the licensor accepts or disputes the report
    report_disputed = "report_disputed"  # royalty: the licensee files a corrected report (or a party disputes)
    awaiting_payment = "awaiting_payment"  # the buyer funds the item (payment held by the platform)
    funded = "funded"  # money held; milestones wait for delivery, other items for the buyer's confirmation
    delivered = "delivered"  # milestone: the seller delivered; the buyer accepts or rejects
    rejected = "rejected"  # milestone: the buyer rejected the delivery with reasons; the seller resubmits
    disputed = "disputed"  # the admin desk decides: refund, release or resume
    released = "released"  # paid to the seller less the platform fee
    settled = "settled"  # nothing was owed (a royalty period without sales, a year above its minimum)
    cancelled = "cancelled"  # refunded by a decision of the admin desk
    reversed = "reversed"  # released, then taken back from the seller and refunded (admin desk)


# Statuses in which an item no longer keeps its deal open.
CLOSED = frozenset({ItemStatus.released, ItemStatus.settled, ItemStatus.cancelled, ItemStatus.reversed})


class ScheduleItem(TimestampMixin, db.Model):
    """One payment of a deal's schedule: its kind, amount (once known), due date and state."""

    __tablename__ = "schedule_items"
    __table_args__ = (UniqueConstraint("deal_id", "kind", "sequence", name="uq_schedule_items_deal_kind_sequence"),)

    payable_kind = "schedule_item"  # the payments package's name for this kind of payable

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[ItemKind] = mapped_column(Enum(ItemKind, native_enum=False, length=16), nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)  # 1, 2, … within the deal and kind
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    mode: Mapped[str] = mapped_column(String(32), nullable=False)  # the deal's mode: selects the platform fee
    status: Mapped[ItemStatus] = mapped_column(
        Enum(ItemStatus, native_enum=False, length=32), default=ItemStatus.scheduled, nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disputed_from: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int | None] = mapped_column(BigInteger)  # fen; a royalty's is known once its report is accepted
    due_date: Mapped[date | None] = mapped_column(Date, index=True)  # pay by (royalty: report by)
    # Milestones: what the seller delivers and how the buyer judges it.
    deliverable: Mapped[str | None] = mapped_column(Text)
    acceptance_criterion: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Royalties: the reporting period, the rate and what the licensee reported.
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    contract_year: Mapped[int | None] = mapped_column(Integer)  # 1, 2, … (royalty periods and shortfalls)
    royalty_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))  # percent of sales
    sales: Mapped[int | None] = mapped_column(BigInteger)  # fen
    report_filed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    report_late: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # Reminders sent by the daily job (each once): before the due date, and once overdue.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __mapper_args__ = {"version_id_col": version}

    deal = relationship("Deal")
    buyer_org = relationship("Organisation", foreign_keys=[buyer_org_id])
    seller_org = relationship("Organisation", foreign_keys=[seller_org_id])

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    @property
    def payable_amount(self) -> Decimal | None:
        """The item's amount in CNY (what the buyer pays, before the platform fee)."""
        return None if self.amount is None else Decimal(self.amount) / 100

    @property
    def payment_mode(self) -> str:
        return self.mode

    def overdue(self, today: date) -> bool:
        """True when the buyer's next step (a report, a payment) is past its due date."""
        waiting = self.status in (ItemStatus.awaiting_report, ItemStatus.awaiting_payment)
        return waiting and self.due_date is not None and self.due_date < today


class ScheduleItemEvent(EventMixin, db.Model):
    """One transition of a schedule item."""

    __tablename__ = "schedule_item_events"

    item_id: Mapped[int] = mapped_column(ForeignKey("schedule_items.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    actor = relationship("User", foreign_keys="ScheduleItemEvent.actor_user_id")


class ScheduleDocument(PdfDocumentMixin, db.Model):
    """A PDF of a schedule item: royalty report evidence (``royalty_report``) or a deliverable (``deliverable``)."""

    __tablename__ = "schedule_documents"

    item_id: Mapped[int] = mapped_column(ForeignKey("schedule_items.id", ondelete="CASCADE"), nullable=False,
                                         index=True)


class DistributionRule(TimestampMixin, db.Model):
    """How an institution shares its income: its default rule (``patent_id`` empty) or one patent's."""

    __tablename__ = "distribution_rules"
    __table_args__ = (UniqueConstraint("org_id", "patent_id", name="uq_distribution_rules_org_patent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False,
                                        index=True)
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"))
    note: Mapped[str | None] = mapped_column(Text)  # e.g. the policy document it follows

    shares = relationship("DistributionShare", order_by="DistributionShare.position", cascade="all, delete-orphan",
                          lazy="selectin")
    patent = relationship("Patent")


class DistributionShare(db.Model):
    """One beneficiary of a rule and its share in percent (a rule's shares sum to 100)."""

    __tablename__ = "distribution_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("distribution_rules.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    beneficiary: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # inventor, school, department, other
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)


class DistributionStatement(db.Model):
    """One beneficiary's part of one released (or reversed: negative) payment; rows are never changed.

    Every released payment to the institution produces them: a schedule item's (``item_id``), an ordinary
    deal's upfront fee (``deal_id`` only), a service order's or a sale deposit's (``title`` says what it paid).
    """

    __tablename__ = "distribution_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_items.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))  # what the payment was for, as it was then
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), nullable=False, index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("distribution_rules.id"), nullable=False)
    entry: Mapped[str] = mapped_column(String(16), nullable=False)  # "release" or "reversal"
    beneficiary: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # fen; negative for a reversal
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    item = relationship("ScheduleItem")
