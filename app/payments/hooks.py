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


@dataclass(frozen=True)
class ReleaseListener:
    """Callbacks run for every payable kind when held money is released to a seller, or a released payment is
    reversed: ``on_released(payable, payment, uow=uow)`` and ``on_reversed(payable, payment, uow=uow)``."""

    on_released: Callable
    on_reversed: Callable


_release_listeners: list[ReleaseListener] = []


def listen_to_releases(*, on_released: Callable, on_reversed: Callable) -> None:
    """Run ``on_released`` after every release and ``on_reversed`` after every reversal, in the same unit of work
    (e.g. the revenue distribution of institutions); registering the same pair again is a no-op."""
    listener = ReleaseListener(on_released=on_released, on_reversed=on_reversed)
    if listener not in _release_listeners:
        _release_listeners.append(listener)


def released(payable, payment, *, uow) -> None:
    """Tell every release listener that ``payment`` of ``payable`` was released to its seller."""
    for listener in _release_listeners:
        listener.on_released(payable, payment, uow=uow)


def reversed_release(payable, payment, *, uow) -> None:
    """Tell every release listener that the released ``payment`` of ``payable`` was taken back."""
    for listener in _release_listeners:
        listener.on_reversed(payable, payment, uow=uow)
