"""Service offer listing."""
from __future__ import annotations

import enum
from decimal import Decimal

from sqlalchemy import Enum, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import JsonType
from app.listings.models import ListingMixin


class ServiceKind(str, enum.Enum):
    """中试 pilot line or 检验检测 inspection lab."""

    pilot = "pilot"
    inspection = "inspection"


class ServiceOffer(ListingMixin, db.Model):
    """A pilot-scale line or an inspection/testing service a provider offers."""

    __tablename__ = "service_offers"
    __table_args__ = (UniqueConstraint("org_id", "external_id", name="uq_service_offers_org_external_id"),)

    kind: Mapped[ServiceKind] = mapped_column(Enum(ServiceKind, native_enum=False, length=16), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    capabilities: Mapped[str | None] = mapped_column(Text)
    equipment: Mapped[str | None] = mapped_column(Text)
    # [{"type": "CMA"|"CNAS", "number": "..."}]
    qualifications: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    capacity: Mapped[str | None] = mapped_column(String(200))
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    price_basis: Mapped[str | None] = mapped_column(String(200))
    price_from: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    industries: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)

    organisation = relationship("Organisation", lazy="joined")
