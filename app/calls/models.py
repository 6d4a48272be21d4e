"""Call and proposal rows.

A call's and a proposal's ``status`` change only through the action classes of :mod:`app.calls.actions`, each
change appending a :class:`CallEvent` or :class:`ProposalEvent`. In the workflow engine's terms the enterprise
that publishes a call is the ``buyer`` of the call and of every proposal to it; the proposing university or
institute is the ``seller`` of its proposal (a call has no seller).
"""
from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import JsonType, TimestampMixin, utcnow
from app.core.records import EventMixin, PdfDocumentMixin


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CallStatus(str, enum.Enum):
    """pending → published (or 整改 / rejected) → evaluating (after the deadline) → awarded / closed without award;
    the owner may withdraw before publication."""

    pending = "pending"  # waiting for a platform admin
    needs_revision = "needs_revision"  # 整改: the owner revises and resubmits
    published = "published"  # open for proposals until the deadline
    evaluating = "evaluating"  # the deadline passed and the platform opened the evaluation (the owner may act
    # as soon as the deadline passed: the scheduled job only makes the stage visible and tells the owner)
    awarded = "awarded"
    closed = "closed"  # ended without an award (the reason is in the event and ``no_award_reason``)
    rejected = "rejected"
    withdrawn = "withdrawn"


CALL_TERMINAL = frozenset({CallStatus.awarded, CallStatus.closed, CallStatus.rejected, CallStatus.withdrawn})


class ProposalStatus(str, enum.Enum):
    """submitted (editable until the deadline) → shortlisted → awarded, or declined / not selected / withdrawn."""

    submitted = "submitted"
    shortlisted = "shortlisted"
    awarded = "awarded"
    declined = "declined"  # with a coded reason the proposer sees
    not_selected = "not_selected"  # the call was awarded to another proposal or closed without an award
    withdrawn = "withdrawn"


PROPOSAL_TERMINAL = frozenset({ProposalStatus.awarded, ProposalStatus.declined, ProposalStatus.not_selected,
                               ProposalStatus.withdrawn})


class Call(TimestampMixin, db.Model):
    """A call for solutions of one enterprise."""

    __tablename__ = "calls"

    payable_kind = "call"  # nothing is paid on a call; the engine's readers ask every subject
    seller_org_id = None  # a call has no seller party (the engine's role check reads it)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("tech_demands.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, nullable=False)  # public
    details: Mapped[str | None] = mapped_column(Text)  # the full problem; behind the NDA when confidential
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    nda_text: Mapped[str | None] = mapped_column(Text)
    outcomes: Mapped[str] = mapped_column(Text, nullable=False)
    indicators: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)  # [{name, target}]
    industry: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(64))
    keywords: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    budget_min: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    budget_max: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    eligible_kinds: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    eligible_regions: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)  # empty: anywhere
    criteria: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)  # [{name, weight}], Σ = 100
    status: Mapped[CallStatus] = mapped_column(
        Enum(CallStatus, native_enum=False, length=32), default=CallStatus.pending, nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    moderation_note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    no_award_reason: Mapped[str | None] = mapped_column(Text)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))

    __mapper_args__ = {"version_id_col": version}

    buyer_org = relationship("Organisation", lazy="joined")
    demand = relationship("TechDemand")

    @property
    def is_open(self) -> bool:
        return self.status not in CALL_TERMINAL

    @property
    def deadline_passed(self) -> bool:
        return aware(self.deadline) <= utcnow()

    # The matcher reads a demand's fields; a call is matched like one (see CallService.push_to_patent_owners).
    @property
    def description(self) -> str:
        return "\n".join(filter(None, [self.summary, self.outcomes]))


class CallEvent(EventMixin, db.Model):
    """One transition of a call."""

    __tablename__ = "call_events"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True)
    actor = relationship("User", foreign_keys="CallEvent.actor_user_id")


class CallNda(db.Model):
    """An organisation accepted a confidential call's NDA; its people then read the full problem."""

    __tablename__ = "call_ndas"
    __table_args__ = (UniqueConstraint("call_id", "org_id", name="uq_call_ndas_call_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    nda_text: Mapped[str] = mapped_column(Text, nullable=False)  # the text accepted, as it was
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class Proposal(TimestampMixin, db.Model):
    """A university's or institute's proposal to a call: sealed until the call's deadline."""

    __tablename__ = "call_proposals"

    payable_kind = "call_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)  # the call's, for timelines and notifications
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approach: Mapped[str] = mapped_column(Text, nullable=False)
    team: Mapped[str] = mapped_column(Text, nullable=False)
    trl_now: Mapped[int] = mapped_column(Integer, nullable=False)
    trl_target: Mapped[int] = mapped_column(Integer, nullable=False)
    milestones: Mapped[list] = mapped_column(JsonType, default=list, nullable=False)
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    scores: Mapped[dict | None] = mapped_column(JsonType)  # {criterion name: 0–100}
    decline_code: Mapped[str | None] = mapped_column(String(32))
    decline_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(
        Enum(ProposalStatus, native_enum=False, length=32), default=ProposalStatus.submitted, nullable=False,
        index=True,
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))

    __mapper_args__ = {"version_id_col": version}

    call = relationship("Call", lazy="joined")
    buyer_org = relationship("Organisation", foreign_keys=[buyer_org_id], lazy="joined")
    seller_org = relationship("Organisation", foreign_keys=[seller_org_id], lazy="joined")
    documents = relationship("ProposalDocument", order_by="ProposalDocument.id", lazy="select", viewonly=True)

    @property
    def is_open(self) -> bool:
        return self.status not in PROPOSAL_TERMINAL

    @property
    def weighted_score(self) -> Decimal | None:
        """Σ score × weight / 100 over the call's criteria (None until scored)."""
        if not self.scores:
            return None
        total = sum(Decimal(str(self.scores.get(c["name"], 0))) * c["weight"] for c in self.call.criteria)
        return (total / 100).quantize(Decimal("0.1"))


class ProposalEvent(EventMixin, db.Model):
    """One transition of a proposal."""

    __tablename__ = "call_proposal_events"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("call_proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor = relationship("User", foreign_keys="ProposalEvent.actor_user_id")


class ProposalDocument(PdfDocumentMixin, db.Model):
    """A PDF attached to a proposal (sealed like the proposal)."""

    __tablename__ = "call_proposal_documents"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("call_proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )


class ProposalMessage(db.Model):
    """A message of the thread between the enterprise and one proposer (after the deadline)."""

    __tablename__ = "call_proposal_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("call_proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("call_proposal_messages.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    author = relationship("User")
    author_org = relationship("Organisation")
