"""Payments, refunds, payouts, connected accounts, the webhook inbox and the double-entry ledger.

Money columns are integers in minor units (fen). Ledger entries are append-only: a balance is always the sum
of entries, never a stored figure.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.models import TimestampMixin, utcnow


class PaymentStatus(str, enum.Enum):
    """Where one payment attempt stands.

    ``pending`` → (``requires_action``) → ``held`` (the platform holds the money) → ``released`` (moved to the
    seller's payable) or ``refunded`` (all of it back to the buyer). ``failed`` attempts may be retried by a new
    attempt; ``canceled`` attempts never took money (voided, or a duplicate of a payable already paid).
    """

    pending = "pending"
    requires_action = "requires_action"
    failed = "failed"
    held = "held"
    released = "released"
    refunded = "refunded"
    canceled = "canceled"


def format_money(minor_units: int, currency: str = "") -> str:
    """``1234567, "cny"`` → ``12,345.67 CNY`` (every currency we take has two decimals)."""
    return f"{minor_units / 100:,.2f} {currency.upper()}".strip()


# Attempt states: the buyer has not paid yet, a new provider event may still move the payment on.
OPEN_STATUSES = (PaymentStatus.pending, PaymentStatus.requires_action, PaymentStatus.failed)


class PayoutMethod(str, enum.Enum):
    """How a seller is paid: a Stripe Connect transfer, or a bank transfer an admin records."""

    stripe_transfer = "stripe_transfer"
    manual = "manual"


class PayoutStatus(str, enum.Enum):
    pending = "pending"
    paid = "paid"
    reversed = "reversed"  # taken back by the dispute desk (see app.payments.reversals)


class LedgerAccount(str, enum.Enum):
    """Ledger accounts; ``org_id`` on an entry says whose buyer_cash / seller_payable / payout it is."""

    buyer_cash = "buyer_cash"  # money outside the platform, on the buyer's side
    platform_escrow = "platform_escrow"  # held by the platform for one payment
    platform_fee = "platform_fee"  # the platform's revenue
    seller_payable = "seller_payable"  # owed to a seller
    payout = "payout"  # paid out to a seller (Connect transfer or bank)


class Payment(TimestampMixin, db.Model):
    """One attempt of a buyer to pay a payable (a deal's upfront fee, a service order's price)."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_payable", "payable_kind", "payable_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payable_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    payable_id: Mapped[int] = mapped_column(Integer, nullable=False)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    mode: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)  # the seller's share before refunds
    fee: Mapped[int] = mapped_column(BigInteger, nullable=False)  # the platform's share
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    provider: Mapped[str] = mapped_column(String(16), nullable=False)  # "stripe" or "test"
    # The PaymentIntent id: None until the provider answered the intent's creation (see app.payments.calls).
    provider_ref: Mapped[str | None] = mapped_column(String(255), unique=True)
    charge_ref: Mapped[str | None] = mapped_column(String(255))  # the captured charge (source of transfers)
    client_secret: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    status: Mapped[PaymentStatus] = mapped_column(
        Enum(PaymentStatus, native_enum=False, length=32), default=PaymentStatus.pending, nullable=False
    )
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(Text)
    # ``created`` of the newest provider event applied: an older event arriving late changes nothing.
    last_event_at: Mapped[int | None] = mapped_column(BigInteger)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    held_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    refunds = relationship("PaymentRefund", back_populates="payment", order_by="PaymentRefund.id")
    payout = relationship("Payout", back_populates="payment", uselist=False)

    @property
    def total(self) -> int:
        """What the buyer pays: the amount plus the platform fee."""
        return self.amount + self.fee

    @property
    def refunded_amount(self) -> int:
        return sum(r.amount for r in self.refunds)

    @property
    def refunded_fee(self) -> int:
        return sum(r.fee_part for r in self.refunds)

    @property
    def is_test(self) -> bool:
        return self.provider == "test"


class PaymentRefund(db.Model):
    """Money given back to the buyer out of a held payment; ``fee_part`` of it comes out of the platform fee."""

    __tablename__ = "payment_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), nullable=False, index=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    fee_part: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    payment = relationship("Payment", back_populates="refunds")


class Payout(TimestampMixin, db.Model):
    """What a released payment owes its seller, and how (and whether) it was paid out."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True, nullable=False)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    method: Mapped[PayoutMethod] = mapped_column(Enum(PayoutMethod, native_enum=False, length=32), nullable=False)
    status: Mapped[PayoutStatus] = mapped_column(
        Enum(PayoutStatus, native_enum=False, length=32), default=PayoutStatus.pending, nullable=False, index=True
    )
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    transfer_ref: Mapped[str | None] = mapped_column(String(255))
    reference: Mapped[str | None] = mapped_column(String(200))  # the bank's reference of a manual payout
    failure_message: Mapped[str | None] = mapped_column(Text)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    payment = relationship("Payment", back_populates="payout")
    organisation = relationship("Organisation")


class PaymentAccount(TimestampMixin, db.Model):
    """An organisation's Stripe Connect account: sellers with one are paid by transfer, others by bank."""

    __tablename__ = "payment_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), unique=True,
                                        nullable=False)
    stripe_account_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)


class ProviderCallKind(str, enum.Enum):
    """The calls the platform makes to its payment provider."""

    create_intent = "create_intent"
    capture = "capture"
    cancel = "cancel"
    refund = "refund"
    transfer = "transfer"
    reverse_transfer = "reverse_transfer"


class ProviderCallStatus(str, enum.Enum):
    """``pending`` until the provider's answer is recorded; a pending call is retried with its idempotency key."""

    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class ProviderCall(db.Model):
    """One call to the payment provider, recorded (committed) before it is made and completed after it answered.

    The call runs with no database transaction open; its idempotency key makes a retry of a call whose answer
    was lost (a crash between the call and the recording) return the first result instead of moving money twice.
    """

    __tablename__ = "payment_provider_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ProviderCallKind] = mapped_column(Enum(ProviderCallKind, native_enum=False, length=32),
                                                   nullable=False)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), nullable=False, index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("payment_refunds.id"))
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    status: Mapped[ProviderCallStatus] = mapped_column(
        Enum(ProviderCallStatus, native_enum=False, length=32), default=ProviderCallStatus.pending, nullable=False,
        index=True,
    )
    result_ref: Mapped[str | None] = mapped_column(String(255))  # what the provider made (intent, refund, transfer)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    payment = relationship("Payment")


class PaymentEvent(db.Model):
    """Each provider (webhook) event, stored once: a second delivery of the same id is recognised and ignored."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    type: Mapped[str] = mapped_column(String(100), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    event_created: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class LedgerTransaction(db.Model):
    """One money movement; its entries sum to zero."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)  # payment, refund, release, payout
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("payment_refunds.id"))
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    memo: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

    entries = relationship("LedgerEntry", back_populates="transaction", order_by="LedgerEntry.id")


class LedgerEntry(db.Model):
    """One leg of a ledger transaction: a signed amount on an account (positive = the account holds more)."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), nullable=False, index=True)
    account: Mapped[LedgerAccount] = mapped_column(Enum(LedgerAccount, native_enum=False, length=32),
                                                   nullable=False)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)

    transaction = relationship("LedgerTransaction", back_populates="entries")
