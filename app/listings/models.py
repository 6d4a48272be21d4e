"""Shared listing columns, enums and the technical-indicator row."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.core.models import JsonType, TimestampMixin


class ListingStatus(str, enum.Enum):
    """Moderation states: draft → pending → approved / needs_revision / rejected; owners may withdraw."""

    draft = "draft"
    pending = "pending"
    approved = "approved"  # published
    needs_revision = "needs_revision"  # 整改
    rejected = "rejected"
    withdrawn = "withdrawn"


class Maturity(str, enum.Enum):
    """Technology maturity (实验室 / 小试 / 中试 / 量产)."""

    lab = "lab"
    small_batch = "small_batch"
    pilot = "pilot"
    mass_production = "mass_production"


MATURITY_ORDER = [m.value for m in Maturity]


class CoopMode(str, enum.Enum):
    """Cooperation modes (转让, 独占/排他/普通许可, 作价入股, 技术开发)."""

    assignment = "assignment"
    exclusive_licence = "exclusive_licence"
    sole_licence = "sole_licence"
    non_exclusive_licence = "non_exclusive_licence"
    equity = "equity"
    development = "development"


class Visibility(str, enum.Enum):
    """Who may see a published listing: everyone, or logged-in members of verified organisations."""

    public = "public"
    members = "members"


class ListingMixin(TimestampMixin):
    """Columns every listing has: owner, import key, moderation state, publication, counters, demo flag.

    Edits to a published listing are kept in ``pending_changes`` until a moderator approves them, so
    the public version stays the last approved one (see README, "Moderation").
    """

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def org_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)

    external_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    industry: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(64), index=True)
    keywords: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    status: Mapped[ListingStatus] = mapped_column(
        Enum(ListingStatus, native_enum=False, length=32), default=ListingStatus.draft, nullable=False, index=True
    )
    moderation_note: Mapped[str | None] = mapped_column(Text)
    pending_changes: Mapped[dict | None] = mapped_column(JsonType)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    view_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    @property
    def is_published(self) -> bool:
        return self.status == ListingStatus.approved


class IndicatorMixin:
    """A technical indicator (技术指标): name, comparator and value or range, unit.

    A patent states what it achieves (``eq`` or a ``range``); a demand states a target (``gte``, ``lte``,
    ``eq`` or ``range``). ``value`` is the lower/only bound, ``value_max`` the upper bound of a range.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    comparator: Mapped[str] = mapped_column(String(8), default="eq", nullable=False)
    value: Mapped[float | None] = mapped_column(Float)
    value_max: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
