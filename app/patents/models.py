"""Patent listing, its technical indicators and PDF attachments."""
from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import JsonType, TimestampMixin
from app.listings.models import IndicatorMixin, ListingMixin, Maturity


class PatentType(str, enum.Enum):
    """发明 / 实用新型 / 外观设计, or 科技成果: a research achievement offered for transfer without a patent.

    Achievements are often known only by a title (many real platforms list them so), so they may be listed
    with a short or empty abstract; patents need a real abstract.
    """

    invention = "invention"
    utility_model = "utility_model"
    design = "design"
    achievement = "achievement"


class LegalStatus(str, enum.Enum):
    """Legal status of the patent right."""

    pending = "pending"  # 审中
    granted = "granted"  # 有效 / 授权
    expired = "expired"
    invalid = "invalid"  # 无效 / 驳回 / 撤回


class Patent(ListingMixin, db.Model):
    """A patent offered for transfer, licence or other cooperation."""

    __tablename__ = "patents"
    __table_args__ = (UniqueConstraint("org_id", "external_id", name="uq_patents_org_external_id"),)

    abstract: Mapped[str] = mapped_column(Text, nullable=False)
    claims: Mapped[str | None] = mapped_column(Text)
    patent_number: Mapped[str | None] = mapped_column(String(32), index=True)
    patent_type: Mapped[PatentType] = mapped_column(
        Enum(PatentType, native_enum=False, length=32), default=PatentType.invention, nullable=False
    )
    application_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    legal_status: Mapped[LegalStatus] = mapped_column(
        Enum(LegalStatus, native_enum=False, length=32), default=LegalStatus.pending, nullable=False
    )
    ipc_codes: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    inventors: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    applicant: Mapped[str | None] = mapped_column(String(200))
    maturity: Mapped[Maturity | None] = mapped_column(Enum(Maturity, native_enum=False, length=32))
    trl: Mapped[int | None] = mapped_column(Integer)
    coop_modes: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    asking_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # CNY; null with negotiable
    price_negotiable: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Confidential: only the owner, admins and deal parties after an NDA see these.
    confidential_details: Mapped[str | None] = mapped_column(Text)
    source_note: Mapped[str | None] = mapped_column(String(300))

    organisation = relationship("Organisation", lazy="joined")
    indicators = relationship(
        "PatentIndicator", order_by="PatentIndicator.position", cascade="all, delete-orphan", lazy="selectin"
    )
    attachments = relationship("PatentAttachment", cascade="all, delete-orphan", lazy="selectin")


class PatentIndicator(IndicatorMixin, db.Model):
    """A technical indicator the patent achieves."""

    __tablename__ = "patent_indicators"

    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), nullable=False, index=True)


class PatentAttachment(TimestampMixin, db.Model):
    """A PDF attached to a patent, stored outside the web root under a random name."""

    __tablename__ = "patent_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patents.id", ondelete="CASCADE"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
