"""The transition-table check shared by deals and service orders, generated from a workflow machine.

For each cell the expected answer follows from the action's declaration alone — outsiders 404; a role the action
does not list 403; a status it does not leave 409; a party the action's state refines away 403; a condition that
blocks it 409. Refused cells must change nothing at all; allowed cells are run on a fresh subject in the same
situation and must append exactly one event from that status to one of the action's targets.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.extensions import db
from app.payments.models import Payment

ACTORS = ["buyer", "seller", "admin", "system", "outsider", "anonymous"]


def expected(subject, action, role: str | None, public: bool = False) -> type[Exception] | None:
    """The error the machine's declarations promise for ``role`` running ``action`` (None: allowed); an actor
    without a role may not know the subject exists unless it is ``public`` (a published call: they read it, but
    may not act)."""
    if role is None:
        return PermissionDenied if public else NotFound
    if role not in action.roles:
        return PermissionDenied
    if subject.status not in action.status_from:
        return Conflict
    if not action.permits(role, subject):
        return PermissionDenied
    if not action.can_execute(subject):
        return Conflict
    return None


def snapshot(service, subject_id: int, related=()) -> dict:
    """Every column of the subject and how many events, documents, payments and ``related`` rows it has."""
    db.session.expire_all()
    subject = db.session.get(service.model, subject_id)
    state = {c.key: getattr(subject, c.key) for c in service.model.__table__.columns}
    for model in (service.event_model, service.document_model, *related):
        if model is None:  # a subject kind without documents
            continue
        column = getattr(model, service.fk)
        state[model.__name__] = db.session.scalar(select(func.count()).select_from(model).where(column == subject_id))
    # A subject that is no payable itself (a sale: its deposits are) counts every payment there is.
    kind = getattr(service.model, "payable_kind", None)
    state["payments"] = db.session.scalar(select(func.count()).select_from(Payment).where(
        *((Payment.payable_kind == kind, Payment.payable_id == subject_id) if kind else ())))
    return state


def parties(actor: str, subject) -> str | None:
    """The role of a deal's or an order's actor: its name, but outsiders and anonymous callers have none."""
    return None if actor in ("outsider", "anonymous") else actor


def check_every_cell(service, *, make, run, status, related=(), through_payments=None,
                     public=lambda subject: False, actors=ACTORS, role_of=parties) -> None:
    """Check every action × actor on a subject ``make()`` builds in ``status``; ``run(actor, subject, action)``
    runs one with valid input; ``through_payments`` maps system actions to how the payments package runs them;
    ``public(subject)`` says whether outsiders may read the subject; ``actors`` drops a role the subject lacks;
    ``role_of(actor, subject)`` is the role the subject's machine gives an actor (None: it may not act)."""
    subject = make()
    before = snapshot(service, subject.id, related)
    allowed = []
    for action in service.machine.actions.values():
        for actor in actors:
            role = role_of(actor, subject)
            error = expected(subject, action, role, public(subject))
            if error is None:
                allowed.append((action, actor, role))
                continue
            with pytest.raises(error) as raised:
                run(actor, subject, action.name)
            if error is Conflict:
                assert raised.value.payload["current_status"] == status.value
            assert snapshot(service, subject.id, related) == before, f"{actor} {action.name} changed {status.value}"

    for action, actor, role in allowed:
        fresh = make()
        count = len(service.events_of(fresh))
        if actor == "system" and action.name in (through_payments or {}):
            through_payments[action.name](fresh)
        else:
            run(actor, fresh, action.name)
        db.session.refresh(fresh)
        new = service.events_of(fresh)[count:]
        assert new[-1].action == action.name and new[-1].actor_role == role
        assert new[-1].from_status == status.value
        assert fresh.status in action.targets and new[-1].to_status == fresh.status.value
