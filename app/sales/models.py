"""Sale rows: a patent put up publicly (挂牌, 竞价 or 开放许可), its participants, bids and events.

A sale's ``status`` changes only through the action classes of :mod:`app.sales.actions`, each change appending a
:class:`SaleEvent`. A :class:`SaleParticipant` is one organisation's interest, objection or auction registration;
it is also the payable of that organisation's refundable deposit (payments kind ``sale_deposit``).
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import JsonType, TimestampMixin, utcnow
from app.core.records import EventMixin, PdfDocumentMixin


class SaleKind(str, enum.Enum):
    """How the patent is sold."""

    listing = "listing"  # 挂牌: fixed price, notice period
    auction = "auction"  # 竞价/拍卖: English ascending auction
    open_licence = "open_licence"  # 开放许可: standard non-exclusive terms, anyone verified takes one


class SaleStatus(str, enum.Enum):
    """draft → notice (挂牌) | bidding (auction) | licensing (open licence) → sold | failed | closed | withdrawn."""

    draft = "draft"  # only inside the unit of work that creates it
    notice = "notice"  # the 挂牌 notice period: interest and objections
    bidding = "bidding"  # the auction: registration with deposit, bids until ``ends_at``
    licensing = "licensing"  # open licence terms published; licences are taken
    sold = "sold"  # a deal was opened with the buyer
    failed = "failed"  # the auction ended without a bid at or above the reserve
    closed = "closed"  # the notice period ended without interest, or the open licence was closed
    withdrawn = "withdrawn"  # the seller or a platform admin withdrew it


TERMINAL = frozenset({SaleStatus.sold, SaleStatus.failed, SaleStatus.closed, SaleStatus.withdrawn})


class Sale(TimestampMixin, db.Model):
    """A published patent put up for public sale by its owner organisation (the seller)."""

    __tablename__ = "sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SaleKind] = mapped_column(Enum(SaleKind, native_enum=False, length=16), nullable=False, index=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    # The winner (listing or auction) once sold; open licences have one buyer per licence deal instead.
    buyer_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[SaleStatus] = mapped_column(
        Enum(SaleStatus, native_enum=False, length=32), default=SaleStatus.draft, nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # The terms offered (OfferTermsSchema shape without the fee, which is the price below).
    terms: Mapped[dict] = mapped_column(JsonType, nullable=False)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)  # listed / starting price / licence fee
    reserve_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    increment: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    deposit: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    notice_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    current_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # The highest bid's id (no foreign key: sale_bids refers to sales, and the cycle would need ALTERs).
    leading_bid_id: Mapped[int | None] = mapped_column(Integer)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"))

    __mapper_args__ = {"version_id_col": version}

    patent = relationship("Patent", lazy="joined")
    seller_org = relationship("Organisation", foreign_keys=[seller_org_id], lazy="joined")
    buyer_org = relationship("Organisation", foreign_keys=[buyer_org_id])
    participants = relationship("SaleParticipant", order_by="SaleParticipant.id", lazy="select", viewonly=True)
    bids = relationship("SaleBid", order_by="SaleBid.id", lazy="select", viewonly=True,
                        foreign_keys="SaleBid.sale_id")

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL


class SaleParticipant(db.Model):
    """One organisation taking part: interest or objection during 挂牌, registration (and deposit) in an auction.

    As the payable of the deposit the participant is the buyer and the sale's seller the seller.
    """

    __tablename__ = "sale_participants"
    __table_args__ = (UniqueConstraint("sale_id", "org_id", name="uq_sale_participants_sale_org"),
                      UniqueConstraint("sale_id", "number", name="uq_sale_participants_sale_number"))

    payable_kind = "sale_deposit"
    payment_mode = "sale_deposit"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), nullable=False, index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    number: Mapped[int | None] = mapped_column(Integer)  # 竞买人N in the public bid history
    interested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    objection: Mapped[str | None] = mapped_column(Text)
    objected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deposit_held: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    org = relationship("Organisation", foreign_keys=[org_id])

    @property
    def buyer_org_id(self) -> int:
        """The payments package's name for who pays the deposit."""
        return self.org_id


class SaleBid(db.Model):
    """One accepted bid; bids are only ever appended and strictly increase within a sale."""

    __tablename__ = "sale_bids"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), nullable=False, index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("sale_participants.id"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    extended_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    participant = relationship("SaleParticipant", lazy="joined")


class SaleEvent(EventMixin, db.Model):
    """One transition of a sale."""

    __tablename__ = "sale_events"

    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), nullable=False, index=True)


class SaleDocument(PdfDocumentMixin, db.Model):
    """A PDF of a sale (the engine keeps one document table per subject; sales attach none yet)."""

    __tablename__ = "sale_documents"

    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), nullable=False, index=True)


class OpenLicenceTaken(db.Model):
    """Which licence deal came from which open-licence sale (counted on the patent page and at /open-licences)."""

    __tablename__ = "open_licences_taken"

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), nullable=False, index=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), nullable=False, unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
