"""Deal rows: the deal, its patents, events, offers, messages, documents and pilot/inspection tests.

A deal's ``status`` changes only through the action classes of :mod:`app.deals.actions`, each change appending
a :class:`DealEvent`; ``version`` is an optimistic lock on top of the row lock the service takes.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, DateTime, Enum, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import JsonType, TimestampMixin, utcnow
from app.core.records import EventMixin, PdfDocumentMixin


class DealStatus(str, enum.Enum):
    """Where a deal stands (see docs/workflow.md and the machine in :mod:`app.deals.actions`)."""

    inquiry = "inquiry"  # the buyer asked; the seller accepts or declines
    nda = "nda"  # an NDA was proposed (and accepted by its proposer); the other party accepts or declines
    negotiation = "negotiation"  # offers and counter-offers
    agreed = "agreed"  # terms fixed; optional pilot / inspection, then the contract
    pilot_planning = "pilot_planning"  # a 中试 service is booked; the other party agrees the plan
    pilot_testing = "pilot_testing"  # the pilot runs; the buyer records results and a verdict
    inspection = "inspection"  # a 检验检测 test is ordered; the buyer uploads the report and a verdict
    test_failed = "test_failed"  # a pilot or inspection failed: renegotiate or end the deal
    contract_signing = "contract_signing"  # generated from the terms; both parties sign
    contract_review = "contract_review"  # signed by both; a platform admin approves or returns it
    awaiting_payment = "awaiting_payment"  # approved; the buyer pays the upfront fee plus the platform fee
    paid = "paid"  # money held by the platform; the seller delivers
    performing = "performing"  # approved with a payment schedule: its items are paid one by one (app.schedules)
    delivered = "delivered"  # the seller delivered; the buyer confirms, which releases the money
    disputed = "disputed"  # a platform admin decides: refund, release or resume
    completed = "completed"
    declined = "declined"
    cancelled = "cancelled"
    expired = "expired"


TERMINAL = frozenset({DealStatus.completed, DealStatus.declined, DealStatus.cancelled, DealStatus.expired})


class OfferStatus(str, enum.Enum):
    """An offer is open until countered (superseded), accepted or the negotiation reopens (withdrawn)."""

    open = "open"
    superseded = "superseded"
    accepted = "accepted"
    withdrawn = "withdrawn"


deal_patents = Table(
    "deal_patents",
    db.metadata,
    Column("deal_id", ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patents.id"), primary_key=True, index=True),
)


class Deal(TimestampMixin, db.Model):
    """A buyer organisation and a seller organisation negotiating a patent (or a bundle of one seller's)."""

    __tablename__ = "deals"

    payable_kind = "deal"  # the payments package's name for this kind of payable

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("tech_demands.id", ondelete="SET NULL"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    status: Mapped[DealStatus] = mapped_column(
        Enum(DealStatus, native_enum=False, length=32), default=DealStatus.inquiry, nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # NDA: proposer's role ("buyer"/"seller"), its text, and when the other side accepted it.
    nda_text: Mapped[str | None] = mapped_column(Text)
    nda_proposed_by: Mapped[str | None] = mapped_column(String(16))
    nda_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Terms fixed by accepting an offer (a copy of the offer's terms).
    terms: Mapped[dict | None] = mapped_column(JsonType)
    # Contract: a snapshot of parties, subject and terms taken when it was generated; then signatures, approval.
    contract: Mapped[dict | None] = mapped_column(JsonType)
    buyer_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    buyer_signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seller_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seller_signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The open status a dispute interrupted (an admin may resume it).
    disputed_from: Mapped[str | None] = mapped_column(String(32))

    __mapper_args__ = {"version_id_col": version}

    buyer_org = relationship("Organisation", foreign_keys=[buyer_org_id], lazy="joined")
    seller_org = relationship("Organisation", foreign_keys=[seller_org_id], lazy="joined")
    patents = relationship("Patent", secondary=deal_patents, order_by="Patent.id", lazy="selectin")
    demand = relationship("TechDemand")
    events = relationship("DealEvent", order_by="DealEvent.id", lazy="select", viewonly=True)
    offers = relationship("DealOffer", order_by="DealOffer.id", lazy="select", viewonly=True)
    tests = relationship("DealTest", order_by="DealTest.id", lazy="select", viewonly=True)
    buyer_signer = relationship("User", foreign_keys=[buyer_signer_id])
    seller_signer = relationship("User", foreign_keys=[seller_signer_id])

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def latest_offer(self) -> DealOffer | None:
        """The offer on the table (the newest open one)."""
        return next((o for o in reversed(self.offers) if o.status == OfferStatus.open), None)

    def current_test(self, kind: str) -> DealTest | None:
        """The newest pilot (``"pilot"``) or inspection test."""
        return next((t for t in reversed(self.tests) if t.kind == kind), None)

    @property
    def payable_amount(self) -> Decimal | None:
        """The agreed upfront fee (CNY), paid through the platform."""
        return Decimal(str(self.terms["upfront_fee"])) if self.terms else None

    @property
    def payment_mode(self) -> str | None:
        """The agreed cooperation mode, which selects the platform fee."""
        return self.terms["mode"] if self.terms else None


class DealEvent(EventMixin, db.Model):
    """One transition of a deal."""

    __tablename__ = "deal_events"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=False, index=True)
    actor = relationship("User", foreign_keys="DealEvent.actor_user_id")


class DealOffer(db.Model):
    """Structured terms one party put on the table; the other party's acceptance fixes them."""

    __tablename__ = "deal_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=False, index=True)
    made_by: Mapped[str] = mapped_column(String(16), nullable=False)  # "buyer" or "seller"
    made_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[OfferStatus] = mapped_column(
        Enum(OfferStatus, native_enum=False, length=16), default=OfferStatus.open, nullable=False
    )
    terms: Mapped[dict] = mapped_column(JsonType, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    made_by_user = relationship("User")


class DealMessage(db.Model):
    """A message in a deal's thread; only the parties and platform admins read it."""

    __tablename__ = "deal_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    author = relationship("User")
    author_org = relationship("Organisation")
    attachments = relationship("DealDocument", order_by="DealDocument.id", lazy="selectin", viewonly=True)


class DealDocument(PdfDocumentMixin, db.Model):
    """A PDF of a deal: a message attachment (``attachment``) or an inspection report (``inspection_report``)."""

    __tablename__ = "deal_documents"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=False, index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("deal_messages.id", ondelete="CASCADE"), index=True)


class DealTest(db.Model):
    """A pilot-scale test (中试) or an inspection (检验检测) booked from a provider's service offer."""

    __tablename__ = "deal_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "pilot" or "inspection"
    service_offer_id: Mapped[int] = mapped_column(ForeignKey("service_offers.id"), nullable=False)
    requested_by: Mapped[str] = mapped_column(String(16), nullable=False)  # "buyer" or "seller"
    plan: Mapped[str] = mapped_column(Text, nullable=False)
    plan_agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    results: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(8))  # "pass" / "fail"
    report_id: Mapped[int | None] = mapped_column(ForeignKey("deal_documents.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    service_offer = relationship("ServiceOffer")
    report = relationship("DealDocument")
