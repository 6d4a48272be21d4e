"""The double-entry ledger: every money movement is a transaction whose entries sum to zero.

Entries are only ever appended. Balances are sums of entries, so they cannot drift from the movements that
made them, and ``unbalanced_transactions()`` proves the books hold (tests assert it after every scenario).
"""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.extensions import db
from app.payments.models import LedgerAccount, LedgerEntry, LedgerTransaction

Leg = tuple[LedgerAccount, int | None, int]  # account, org id, signed amount


class UnbalancedTransaction(ValueError):
    """A programming error: the legs of a transaction do not sum to zero."""


def post(kind: str, legs: list[Leg], *, currency: str, payment=None, payout=None, refund=None, memo=None,
         session=None) -> LedgerTransaction:
    """Append one balanced transaction of ``legs`` (zero legs are dropped)."""
    legs = [leg for leg in legs if leg[2] != 0]
    if sum(amount for _, _, amount in legs) != 0:
        raise UnbalancedTransaction(f"{kind}: legs {legs} do not sum to zero")
    session = session or db.session
    txn = LedgerTransaction(kind=kind, currency=currency, memo=memo, payment_id=payment.id if payment else None,
                            payout_id=payout.id if payout else None, refund_id=refund.id if refund else None)
    session.add(txn)
    session.flush()
    for account, org_id, amount in legs:
        session.add(LedgerEntry(transaction_id=txn.id, account=account, org_id=org_id, amount=amount))
    session.flush()
    return txn


def balances(*, org_id: int | None = None, payment_id: int | None = None, session=None) -> dict[str, int]:
    """Sum of entries per account (every account listed, zero included), optionally for one org or payment."""
    session = session or db.session
    query = select(LedgerEntry.account, func.coalesce(func.sum(LedgerEntry.amount), 0)).group_by(LedgerEntry.account)
    if org_id is not None:
        query = query.where(LedgerEntry.org_id == org_id)
    if payment_id is not None:
        query = query.join(LedgerTransaction).where(LedgerTransaction.payment_id == payment_id)
    found = {account: int(total) for account, total in session.execute(query)}
    return {account.value: found.get(account, 0) for account in LedgerAccount}


def escrow_held(payment_id: int, *, session=None) -> int:
    """What the platform still holds for one payment."""
    return balances(payment_id=payment_id, session=session)[LedgerAccount.platform_escrow.value]


def unbalanced_transactions(*, session=None) -> list[int]:
    """Ids of transactions whose entries do not sum to zero (always empty unless the books are broken)."""
    session = session or db.session
    query = (select(LedgerEntry.transaction_id).group_by(LedgerEntry.transaction_id)
             .having(func.sum(LedgerEntry.amount) != 0))
    return list(session.scalars(query))
