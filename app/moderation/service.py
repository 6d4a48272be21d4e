"""Moderation across the three listing resources: the review queue, single and bulk decisions, the field-level
diff of a published listing's pending edits, and the audit log.

Decisions themselves are the listing services' ``moderate`` (which writes the audit entry); this module
gathers, batches, compares and reads. Only platform admins may use it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.errors import NotFound, ServiceError, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.messages import NOT_OFFERED
from app.listings.registry import listing_services
from app.listings.service import DECISIONS
from app.moderation.policy import moderation_policy


def review_queue(identity: Identity, *, resources=None, status=None, org_id=None, page=1, per_page=20):
    """A page of ``(resource, listing)`` pairs, newest change first, and the total.

    Without ``status`` the queue holds what awaits review: pending listings and published listings
    with pending edits. Rows of several resources are merged: the top ``page * per_page`` of each
    resource hold the requested page, so each resource is read once.
    """
    moderation_policy.require("review", identity, message="platform admins only")
    services = listing_services()
    rows, total = [], 0
    for resource in resources or list(services):
        items, count = services[resource].list(
            identity, status=status, pending_review=status is None, org_id=org_id, page=1, per_page=page * per_page
        )
        total += count
        rows.extend((resource, obj) for obj in items)
    rows.sort(key=lambda pair: (pair[1].updated_at, pair[1].id), reverse=True)
    return rows[(page - 1) * per_page : page * per_page], total


def bulk_moderate(identity: Identity, resource: str, ids: list[int], decision: str, reason: str | None) -> list[dict]:
    """Apply one decision to many listings, each in its own unit of work; one result per id.

    A listing that cannot take the decision (wrong state, unknown id) is reported and does not stop
    the others; what succeeded stays decided.
    """
    moderation_policy.require("review", identity, message="platform admins only")
    service = listing_services()[resource]
    results = []
    for listing_id in dict.fromkeys(ids):  # de-duplicated, order kept
        try:
            obj = service.moderate(identity, listing_id, decision, reason)
        except ServiceError as error:
            results.append({"id": listing_id, "ok": False, **error.payload})
        else:
            results.append({"id": listing_id, "ok": True, "status": obj.status.value})
    return results


def moderate_items(identity: Identity, items: list[tuple[str, int]], decision: str, reason: str | None) -> list[dict]:
    """One decision for listings of several resources (the admin queue's bulk form); one result per item.

    The decision, the reason and the resource names are checked for the whole batch first, so bad input
    decides nothing; then each listing is decided as in :func:`bulk_moderate`.
    """
    moderation_policy.require("review", identity, message="platform admins only")
    services = listing_services()
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = [NOT_OFFERED]
    elif decision != "approve" and not (reason or "").strip():
        errors["reason"] = [_l("Give a reason.")]
    if not items:
        errors["items"] = [_l("choose at least one listing")]
    elif any(resource not in services for resource, _ in items):
        errors["items"] = [f"resources are {sorted(services)}"]
    if errors:
        raise ValidationFailed(errors)
    by_resource: dict[str, list[int]] = {}
    for resource, listing_id in items:
        by_resource.setdefault(resource, []).append(listing_id)
    return [{"resource": resource, **result}
            for resource, ids in by_resource.items()
            for result in bulk_moderate(identity, resource, ids, decision, reason)]


def review_item(identity: Identity, resource: str, listing_id: int):
    """The listing an admin reviews (404 for an unknown resource or id)."""
    moderation_policy.require("review", identity, message="platform admins only")
    services = listing_services()
    if resource not in services:
        raise NotFound(f"no resource {resource}")
    return services[resource].get(identity, listing_id, "moderate")


def decide(identity: Identity, resource: str, listing_id: int, decision: str, reason: str | None):
    """One decision on one listing (the review page and the queue's row buttons)."""
    review_item(identity, resource, listing_id)
    return listing_services()[resource].moderate(identity, listing_id, decision, reason)


# ------------------------------------------------------------------------------------------ the diff

@dataclass(frozen=True)
class FieldChange:
    """One field whose value changes: its data key and the normalised values before and after."""

    field: str
    before: object
    after: object


# Bookkeeping every decision touches: not worth a line of any diff.
UNCOMPARED = {"updated_at", "created_at", "has_pending_changes", "view_count"}


def normalised(value):
    """``value`` in one canonical form, so only real changes differ.

    Whole numbers are ints whatever their type (``500000.0``, ``Decimal('500000.00')`` and ``500000`` are one
    value), numeric text is a number (``'98'`` is ``98``), text is stripped, and absent values (``None``, ``''``,
    ``[]``, ``{}``) are all ``None``. Lists and rows are normalised element by element; a row's absent cells are
    dropped, so ``{'value_max': None}`` and a row without ``value_max`` agree.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("0") and value[1:2].isdigit():  # "0123" is a code (a number, a zip), not 123
            return value
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value or None
        return normalised(number) if number.is_finite() and value[-1:].isdigit() else value
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if not number.is_finite():
            return float(number)
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, dict):
        rows = {key: normalised(item) for key, item in value.items()}
        return {key: item for key, item in rows.items() if item is not None} or None
    if isinstance(value, (list, tuple)):
        return [normalised(item) for item in value] or None
    return value


def field_changes(before: dict | None, after: dict | None, fields=None) -> list[FieldChange]:
    """The fields (``fields``, default: every field of either side) whose normalised values differ."""
    before, after = before or {}, after or {}
    keys = fields if fields is not None else sorted(set(before) | set(after))
    changes = []
    for key in keys:
        old, new = normalised(before.get(key)), normalised(after.get(key))
        if key not in UNCOMPARED and old != new:
            changes.append(FieldChange(key, old, new))
    return changes


def pending_diff(identity: Identity, resource: str, obj) -> list[FieldChange]:
    """The fields a published listing's pending edits really change, in the order they were sent.

    Edits that rewrite a value in another form (``6`` for ``6``, ``500000`` for ``500000.0``, ``'98'`` for an
    indicator's ``98.0``) are no change; edits that no longer validate are shown as sent.
    """
    moderation_policy.require("review", identity, message="platform admins only")
    if not obj.pending_changes:
        return []
    service = listing_services()[resource]
    current = service.dump(identity, obj)
    try:
        proposed = service.proposed(obj)
    except ValidationFailed:
        proposed = {**current, **obj.pending_changes}
    return field_changes(current, proposed, list(obj.pending_changes))


def audit_entries(identity: Identity, *, action=None, object_type=None, object_id=None, actor_id=None,
                  since: datetime | None = None, until: datetime | None = None, page=1, per_page=50):
    """A page of audit entries (newest first) matching the filters, and the total."""
    moderation_policy.require("read_audit", identity, message="platform admins only")
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.action, action), (AuditEntry.object_type, object_type),
        (AuditEntry.object_id, object_id), (AuditEntry.actor_id, actor_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if until is not None:
        query = query.where(AuditEntry.created_at < until)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return items, total
