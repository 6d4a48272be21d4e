"""Technology demand listing and the indicators it wants."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import JsonType
from app.listings.models import IndicatorMixin, ListingMixin, Maturity, Visibility


class TechDemand(ListingMixin, db.Model):
    """What a manufacturer needs; leaves listings automatically after ``valid_until``."""

    __tablename__ = "tech_demands"
    __table_args__ = (UniqueConstraint("org_id", "external_id", name="uq_tech_demands_org_external_id"),)

    description: Mapped[str] = mapped_column(Text, nullable=False)
    budget_min: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    budget_max: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    valid_until: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    required_maturity: Mapped[Maturity | None] = mapped_column(Enum(Maturity, native_enum=False, length=32))
    coop_modes: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    ipc_codes: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, native_enum=False, length=16), default=Visibility.public, nullable=False
    )
    needs_pilot: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    needs_inspection: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    organisation = relationship("Organisation", lazy="joined")
    indicators = relationship(
        "DemandIndicator", order_by="DemandIndicator.position", cascade="all, delete-orphan", lazy="selectin"
    )

    def is_expired(self, today: date) -> bool:
        return self.valid_until < today


class DemandIndicator(IndicatorMixin, db.Model):
    """A technical indicator the demand wants (target value or range)."""

    __tablename__ = "demand_indicators"

    demand_id: Mapped[int] = mapped_column(
        ForeignKey("tech_demands.id", ondelete="CASCADE"), nullable=False, index=True
    )
