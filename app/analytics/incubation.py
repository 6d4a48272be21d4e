"""Platform admins mark an organisation as incubated (孵化企业) from a date, or clear the mark; audited."""
from __future__ import annotations

from datetime import date

from app.analytics.models import OrgIncubation
from app.analytics.policy import require
from app.core.audit import AuditEntry
from app.core.errors import NotFound, ValidationFailed
from app.core.extensions import db
from app.core.formatting import local_today
from app.core.identity import Identity
from app.core.uow import unit_of_work
from app.orgs.models import Organisation


def _state(row: OrgIncubation | None) -> dict:
    return {"incubated": row is not None, "incubated_on": row.incubated_on.isoformat() if row else None,
            "note": row.note if row else None}


@unit_of_work
def set_incubation(identity: Identity, org_id: int, incubated_on: date | None, note: str | None = None, *, uow):
    """Mark ``org_id`` incubated since ``incubated_on``, or clear the mark with None (AnalyticsPolicy
    ``set_incubation``); the change and the previous state go to the audit log."""
    org = uow.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("organisation")
    require("set_incubation", identity, org)
    if incubated_on is not None and incubated_on > local_today():
        raise ValidationFailed({"incubated_on": ["the date cannot be in the future"]})
    row = uow.session.get(OrgIncubation, org_id, with_for_update=True)
    before = _state(row)
    if incubated_on is None:
        if row is not None:
            uow.session.delete(row)
        row = None
    else:
        row = row or OrgIncubation(org_id=org_id)
        row.incubated_on, row.note, row.set_by_id = incubated_on, (note or "").strip() or None, identity.user_id
        uow.session.add(row)
    uow.session.flush()
    uow.session.add(AuditEntry(actor_id=identity.user_id, action="organisation.incubation",
                               object_type="organisation", object_id=org_id, reason=(note or "").strip() or None,
                               before=before, after=_state(row)))
    return row


def incubation_of(org_id: int) -> OrgIncubation | None:
    """The organisation's incubation mark, if any."""
    return db.session.get(OrgIncubation, org_id)
