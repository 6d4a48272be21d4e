"""Organisation model and its kinds."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import TimestampMixin


class OrgKind(str, enum.Enum):
    """What an organisation is; decides which listings it may post."""

    university = "university"
    institute = "institute"
    enterprise = "enterprise"
    service_provider = "service_provider"
    platform = "platform"


class VerificationStatus(str, enum.Enum):
    """Platform verification of an organisation's identity (统一社会信用代码)."""

    unverified = "unverified"
    pending = "pending"
    verified = "verified"
    rejected = "rejected"


class Organisation(TimestampMixin, db.Model):
    """A legal entity on the market; users belong to exactly one."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(Enum(OrgKind, native_enum=False, length=32), nullable=False)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    region: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    verification_status: Mapped[VerificationStatus] = mapped_column(
        Enum(VerificationStatus, native_enum=False, length=32),
        default=VerificationStatus.unverified,
        nullable=False,
    )
    verification_note: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Stripe Connect account for payouts; most mainland sellers have none and are paid by bank transfer.
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    users = relationship("User", back_populates="organisation")

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.verified

    @property
    def posts_patents(self) -> bool:
        """Only tech-transfer offices of universities and institutes post patents."""
        return self.kind in (OrgKind.university, OrgKind.institute)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"
