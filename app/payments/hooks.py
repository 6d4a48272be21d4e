"""Callbacks the workflow packages register for their payable kinds.

A payment succeeding or failing is a *workflow* event: the payments package never assigns a deal's (or a
service order's) status. Instead the package owning a payable kind registers two callbacks, and the payments
service calls them inside the same unit of work that records the payment's new state, so a workflow action
that refuses (e.g. the deal was cancelled meanwhile) rolls the payment change back too.

    from app.payments import hooks
    hooks.register("deal", on_paid=deals.actions.payment_received, on_failed=deals.actions.payment_failed)

``on_paid(payable_id, payment, uow=uow)`` and ``on_failed(payable_id, payment, reason, uow=uow)``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PayableHooks:
    """The two callbacks of one payable kind."""

    on_paid: Callable
    on_failed: Callable


_registry: dict[str, PayableHooks] = {}


def register(kind: str, *, on_paid: Callable, on_failed: Callable) -> None:
    """Register the callbacks of payable ``kind`` ("deal", "service_order", …); registering again replaces them.

    ``on_paid(payable_id, payment, uow=uow)`` runs when the buyer's money is held by the platform;
    ``on_failed(payable_id, payment, reason, uow=uow)`` when an attempt failed (declined card, expired
    authentication, …). Both run inside the unit of work that records the payment's state.
    """
    _registry[kind] = PayableHooks(on_paid=on_paid, on_failed=on_failed)


def unregister(kind: str) -> None:
    """Forget the callbacks of ``kind`` (tests registering a dummy kind clean up with it)."""
    _registry.pop(kind, None)


def hooks_for(kind: str) -> PayableHooks:
    """The callbacks of ``kind``; a payable kind nobody registered is a programming error."""
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"no payment hooks registered for payable kind {kind!r}") from None


def paid(payment, *, uow) -> None:
    """Tell the owner of ``payment``'s payable that its money is held."""
    hooks_for(payment.payable_kind).on_paid(payment.payable_id, payment, uow=uow)


def failed(payment, reason: str, *, uow) -> None:
    """Tell the owner of ``payment``'s payable that an attempt failed, and why."""
    hooks_for(payment.payable_kind).on_failed(payment.payable_id, payment, reason, uow=uow)
