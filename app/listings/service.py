"""The listing service: every write to a patent, demand or service offer goes through here.

One class serves the three listing resources; each resource supplies its model, schema, policy and
indicator model. Moderation decisions are written to the audit log; every change writes a search
outbox row in the same transaction.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from app.core.audit import AuditEntry
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.messages import NOT_OFFERED
from app.core.models import utcnow
from app.core.search import search
from app.core.uow import unit_of_work
from app.indexing.service import IndexOp
from app.listings.models import ListingStatus
from app.listings.signals import listing_decided, listing_published
from app.orgs.models import Organisation

log = logging.getLogger(__name__)

MONEY_ATTRIBUTES = {"asking_price", "budget_min", "budget_max", "price_from"}
EDITABLE = {ListingStatus.draft, ListingStatus.pending, ListingStatus.needs_revision, ListingStatus.withdrawn}
SUBMITTABLE = {ListingStatus.draft, ListingStatus.needs_revision, ListingStatus.withdrawn}
WITHDRAWABLE = {ListingStatus.pending, ListingStatus.approved, ListingStatus.needs_revision}
DELETABLE = {ListingStatus.draft, ListingStatus.withdrawn, ListingStatus.rejected}
DECISIONS = {"approve", "revise", "reject"}
# Which statuses allow each owner action (``update`` of a published listing queues the edits for review).
OWNER_ACTIONS = {"update": EDITABLE | {ListingStatus.approved}, "submit": SUBMITTABLE, "withdraw": WITHDRAWABLE,
                 "delete": DELETABLE}



class ListingService:
    """Create, read, edit, submit, withdraw, delete, moderate, import and index one listing resource."""

    def __init__(self, *, resource, model, schema_cls, policy, indicator_model=None, confidential=()):
        self.resource = resource
        self.model = model
        self.schema_cls = schema_cls
        self.policy = policy
        self.indicator_model = indicator_model
        self.confidential = tuple(confidential)
        # Dumping schemas are stateless and costly to build (~2 ms each): build them once.
        self._full_schema = schema_cls()
        self._public_schema = schema_cls(exclude=self.confidential)
        # What the API declares and serialises with: the confidential fields only for the readers allowed them.
        self.response_schema = schema_cls(hide=self.hidden_from)
        self.response_schemas = schema_cls(many=True, hide=self.hidden_from)

    # ---------------------------------------------------------------- reads

    def get(self, identity: Identity, listing_id: int, action: str = "read"):
        """The listing, if ``identity`` may ``action`` it; 404 when it may not even read it, else 403."""
        obj = db.session.get(self.model, listing_id)
        if obj is None or not self.policy.allows("read", identity, obj):
            raise NotFound(f"{self.resource} {listing_id} not found")
        if action != "read":
            self.policy.require(action, identity, obj, message=f"you may not {action} this listing")
        return obj

    def hidden_from(self, identity: Identity, obj, extra_allowed: bool = False) -> tuple[str, ...]:
        """The confidential fields, unless ``identity`` may read them (owner, admin, NDA party)."""
        allowed = extra_allowed or self.policy.allows("read_confidential", identity, obj)
        return () if allowed else self.confidential

    def dump(self, identity: Identity, obj, extra_allowed: bool = False) -> dict:
        """The API representation as ``identity`` may see it (see :meth:`hidden_from`)."""
        hidden = self.hidden_from(identity, obj, extra_allowed)
        return (self._public_schema if hidden else self._full_schema).dump(obj)

    def dump_many(self, identity: Identity, objs) -> list[dict]:
        return [self.dump(identity, obj) for obj in objs]

    def list(self, identity: Identity, *, mine=False, status=None, pending_review=False, org_id=None, text=None,
             page=1, per_page=20):
        """A page of listings ``identity`` may read, newest first; ``mine`` narrows to their organisation,
        ``org_id`` to any one organisation, ``text`` to titles (or external ids) containing it."""
        query = select(self.model).where(self.policy.sql_filter("read", identity, self.model))
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(or_(self.model.title.ilike(pattern, escape="\\"),
                                    self.model.external_id.ilike(pattern, escape="\\")))
        if mine:
            query = query.where(self.model.org_id == identity.org_id)
        if org_id is not None:
            query = query.where(self.model.org_id == org_id)
        if status:
            query = query.where(self.model.status == ListingStatus(status))
        if pending_review:
            query = query.where(
                or_(self.model.status == ListingStatus.pending, self.model.pending_changes.isnot(None))
            )
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        items = db.session.scalars(
            query.order_by(self.model.updated_at.desc(), self.model.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return items, total

    def actions_for(self, identity: Identity, obj) -> set[str]:
        """The owner actions ``identity`` may take on ``obj`` in its current state: any of ``update``,
        ``submit``, ``withdraw``, ``delete`` (pages show a button for each, and only those)."""
        allowed = set()
        for action, statuses in OWNER_ACTIONS.items():
            if obj.status in statuses and self.policy.allows(action, identity, obj):
                allowed.add(action)
        if not obj.organisation.is_verified:
            allowed.discard("submit")
        return allowed

    def get_many(self, ids: list[int], with_indicators: bool = False) -> list:
        """Rows for ``ids`` in the order given (search returns ids; rows come from SQL).

        ``with_indicators`` loads indicator rows in one extra query instead of one per row (matching).
        """
        query = select(self.model).where(self.model.id.in_(ids))
        if with_indicators and self.indicator_model is not None:
            query = query.options(selectinload(self.model.indicators))
        rows = {obj.id: obj for obj in db.session.scalars(query)}
        return [rows[i] for i in ids if i in rows]

    def readable_ids(self, identity: Identity, ids: list[int]) -> set[int]:
        """Those of ``ids`` that ``identity`` may read now (one SQL query, no rows loaded)."""
        if not ids:
            return set()
        return set(db.session.scalars(select(self.model.id).where(
            self.model.id.in_(ids), self.policy.sql_filter("read", identity, self.model))))

    def find_external(self, org_id: int, external_id: str | None):
        """The listing ``org_id`` imported as ``external_id``, if any."""
        if not external_id:
            return None
        return db.session.scalar(
            select(self.model).where(self.model.org_id == org_id, self.model.external_id == external_id)
        )

    def all_of_org(self, org_id: int) -> list:
        """Every listing of ``org_id`` in id order (export)."""
        return db.session.scalars(select(self.model).where(self.model.org_id == org_id).order_by(self.model.id)).all()

    def count_all(self) -> int:
        """Every row of the resource, whatever its status (reindex progress)."""
        return db.session.scalar(select(func.count(self.model.id)))

    def record_view(self, obj) -> None:
        """Count a page view in its own unit of work (an atomic UPDATE: no read-modify-write race, no
        updated_at bump).

        Best effort: on SQLite a page's read transaction cannot take the write lock once another writer has
        committed since it began ("database is locked"); that view goes uncounted rather than failing the page.
        """
        try:
            self._count_view(obj.id)
        except OperationalError as error:
            db.session.rollback()  # a failed commit leaves the session unusable for the rest of the page
            log.warning("view of %s %s not counted: %s", self.resource, obj.id, error.orig)

    @unit_of_work
    def _count_view(self, listing_id: int, *, uow) -> None:
        uow.session.execute(
            update(self.model)
            .where(self.model.id == listing_id)
            .values(view_count=self.model.view_count + 1, updated_at=self.model.updated_at)
        )

    # ---------------------------------------------------------------- writes

    @unit_of_work
    def create(self, identity: Identity, data: dict, *, org: Organisation | None = None, submit: bool = False, uow):
        """Create a draft listing owned by ``identity``'s organisation (or ``org`` for system imports); with
        ``submit``, send it to review in the same transaction (a refused submission saves nothing)."""
        if org is None:
            self.policy.require("create", identity, message=f"your organisation may not post {self.resource}")
            org = db.session.get(Organisation, identity.org_id)
        else:
            self.policy.require("create_for_others", identity,
                                message="only the platform may create listings for another organisation")
        loaded = self._load(data)
        obj = self.model(org_id=org.id, status=ListingStatus.draft, organisation=org, is_demo=org.is_demo)
        self._apply(obj, loaded)
        uow.session.add(obj)
        uow.register(IndexOp(self.resource, obj))
        if submit:
            uow.session.flush()
            self.submit(identity, obj.id, uow=uow)
        return obj

    @unit_of_work
    def update(self, identity: Identity, listing_id: int, data: dict, *, uow):
        """Edit a listing. Edits to a published listing wait in ``pending_changes`` for review."""
        obj = self.get(identity, listing_id, "update")
        if obj.status == ListingStatus.approved:
            self._load(data, partial=True)  # validate now; apply on approval
            obj.pending_changes = {**(obj.pending_changes or {}), **data}
        elif obj.status in EDITABLE:
            self._apply(obj, self._load(data, partial=True))
        else:
            raise Conflict(f"a {obj.status.value} listing cannot be edited", current_status=obj.status.value)
        uow.register(IndexOp(self.resource, obj))
        return obj

    @unit_of_work
    def submit(self, identity: Identity, listing_id: int, *, uow):
        """Send a listing to review; the owning organisation must be verified."""
        obj = self.get(identity, listing_id, "submit")
        self._require_status(obj, SUBMITTABLE, "submit")
        self.policy.require("publish", identity, obj, message="your organisation must be verified before it can publish")
        obj.status = ListingStatus.pending
        uow.register(IndexOp(self.resource, obj))
        return obj

    @unit_of_work
    def withdraw(self, identity: Identity, listing_id: int, *, uow):
        """Take a listing off the market (the owner's decision)."""
        obj = self.get(identity, listing_id, "withdraw")
        self._require_status(obj, WITHDRAWABLE, "withdraw")
        obj.status = ListingStatus.withdrawn
        obj.pending_changes = None
        uow.register(IndexOp(self.resource, obj))
        return obj

    @unit_of_work
    def delete(self, identity: Identity, listing_id: int, *, uow):
        """Delete a draft, withdrawn or rejected listing (org admins only)."""
        obj = self.get(identity, listing_id, "delete")
        self._require_status(obj, DELETABLE, "delete")
        uow.register(IndexOp(self.resource, obj))
        uow.session.delete(obj)

    @unit_of_work
    def moderate(self, identity: Identity, listing_id: int, decision: str, reason: str | None = None, *, uow):
        """Approve, send back for revision (整改) or reject a pending listing or a published listing's edits."""
        obj = self.get(identity, listing_id, "moderate")
        if decision not in DECISIONS:
            raise ValidationFailed({"decision": [NOT_OFFERED]})
        if decision != "approve" and not (reason or "").strip():
            raise ValidationFailed({"reason": [_l("Give a reason.")]})
        before = self._full_schema.dump(obj)
        first_publication = obj.status == ListingStatus.pending and decision == "approve"
        edits = obj.status == ListingStatus.approved
        if obj.status == ListingStatus.pending:
            self._decide_pending(obj, decision, reason)
        elif obj.status == ListingStatus.approved and obj.pending_changes is not None:
            self._decide_changes(obj, decision, reason)
        else:
            raise Conflict(_l("nothing of this listing awaits review"), current_status=obj.status.value)
        uow.session.flush()
        uow.session.add(
            AuditEntry(
                actor_id=identity.user_id,
                action=f"{self.resource}.{decision}",
                object_type=self.resource,
                object_id=obj.id,
                reason=reason,
                before=before,
                after=self._full_schema.dump(obj),
            )
        )
        uow.register(IndexOp(self.resource, obj))
        listing_decided.send(self.resource, obj=obj, decision=decision, reason=reason, edits=edits, uow=uow)
        if first_publication:  # after the index op: alerts search the index, so it must have the listing first
            listing_published.send(self.resource, obj=obj, uow=uow)
        return obj

    @unit_of_work
    def upsert(self, identity: Identity, org: Organisation, data: dict, *, publish: bool = False, uow):
        """Create or update the listing keyed by ``(org, external_id)`` (imports); optionally publish it.

        Returns ``(obj, changed)``; re-importing identical data changes nothing. When an owner (not a
        platform admin) re-imports a published listing, the changes wait in ``pending_changes`` for review.
        """
        external_id = data.get("external_id")
        if not external_id:
            raise ValidationFailed({"external_id": ["external_id is required for imports"]})
        obj = self.find_external(org.id, external_id)
        loaded = self._load(data)
        if obj is None:
            obj = self.model(org_id=org.id, status=ListingStatus.draft, organisation=org, is_demo=org.is_demo)
            uow.session.add(obj)
            changed = True
        else:
            changed = self._differs(obj, loaded)
        if changed and obj.status == ListingStatus.approved and not self.policy.allows("moderate", identity, obj):
            queued = {**(obj.pending_changes or {}), **data}
            changed, obj.pending_changes = queued != obj.pending_changes, queued
        elif changed:
            self._apply(obj, loaded)
        newly_published = publish and obj.status != ListingStatus.approved
        if newly_published:
            obj.status = ListingStatus.approved
            obj.published_at = obj.published_at or utcnow()
            changed = True
        if changed:
            uow.register(IndexOp(self.resource, obj))
        if newly_published:
            listing_published.send(self.resource, obj=obj, uow=uow)
        return obj, changed

    def proposed(self, obj) -> dict:
        """The full representation ``obj`` would have with its pending edits applied (as is when none wait).

        The edits are loaded by the schema, so the result is typed as a dump is (numbers are numbers, enum values
        their names), whatever form the edits were sent in.
        """
        if not obj.pending_changes:
            return self._full_schema.dump(obj)
        return self._full_schema.dump(_Shadow(self._load(obj.pending_changes, partial=True), obj))

    # ---------------------------------------------------------------- search documents

    def search_document(self, obj) -> dict:
        """The search document: the public API representation (never confidential fields)."""
        return self._public_schema.dump(obj)

    def iter_search_documents(self, batch_size: int = 1000) -> Iterable[dict]:
        """Every listing's search document, streamed in id order (for reindex)."""
        last_id = 0
        while True:
            batch = db.session.scalars(
                select(self.model).where(self.model.id > last_id).order_by(self.model.id).limit(batch_size)
            ).all()
            if not batch:
                return
            yield from (self.search_document(obj) for obj in batch)
            last_id = batch[-1].id
            db.session.expunge_all()  # keep memory flat over 100k rows

    def sync_index(self, ids: set[int]) -> None:
        """Make the engine agree with the database for ``ids``: upsert existing rows, delete the rest."""
        rows = self.get_many(sorted(ids))
        engine = search.engine
        if rows:
            engine.index(self.resource, [self.search_document(obj) for obj in rows])
        missing = ids - {obj.id for obj in rows}
        if missing:
            engine.delete(self.resource, sorted(missing))

    # ---------------------------------------------------------------- helpers

    def _load(self, data: dict, partial: bool = False) -> dict:
        if not isinstance(data, dict):
            raise ValidationFailed({"_schema": ["expected a JSON object"]})
        schema = self.schema_cls()
        try:
            # Partial at the top level only: nested rows (indicators, qualifications) must stay complete.
            return schema.load(data, partial=tuple(schema.fields) if partial else False)
        except ValidationError as error:
            raise ValidationFailed(error.normalized_messages()) from None

    def _apply(self, obj, loaded: dict) -> None:
        self._require_unique_external_id(obj, loaded.get("external_id"))
        for key, value in loaded.items():
            if key == "indicators":
                obj.indicators = [self.indicator_model(position=i, **row) for i, row in enumerate(value)]
            elif key in MONEY_ATTRIBUTES and value is not None:
                setattr(obj, key, Decimal(str(value)))
            else:
                setattr(obj, key, value)

    def _require_unique_external_id(self, obj, external_id: str | None) -> None:
        """409 naming ``external_id`` when another listing of the organisation already has it.

        The unique constraint stays the last word under concurrency (``errors_http`` answers its violation 409).
        """
        if not external_id or external_id == obj.external_id:
            return
        with db.session.no_autoflush:  # ``obj`` may be in the session half-filled (imports add it first)
            taken = self.find_external(obj.org_id, external_id) is not None
        if taken:
            raise Conflict("another listing of your organisation has this external_id",
                           errors={"external_id": ["already used by another listing of your organisation"]})

    def _differs(self, obj, loaded: dict) -> bool:
        """True when applying ``loaded`` would change what the schema shows of ``obj``."""
        schema = self.schema_cls()
        keys = {field.data_key or name for name, field in schema.load_fields.items() if (field.attribute or name) in loaded}
        before, after = schema.dump(obj), schema.dump(_Shadow(loaded, obj))
        return any(before.get(key) != after.get(key) for key in keys)

    @staticmethod
    def _require_status(obj, allowed: set, verb: str) -> None:
        if obj.status not in allowed:
            raise Conflict(f"a {obj.status.value} listing cannot {verb}", current_status=obj.status.value)

    def _decide_pending(self, obj, decision: str, reason: str | None) -> None:
        obj.moderation_note = reason
        if decision == "approve":
            obj.status = ListingStatus.approved
            obj.published_at = obj.published_at or utcnow()
        elif decision == "revise":
            obj.status = ListingStatus.needs_revision
        else:
            obj.status = ListingStatus.rejected

    def _decide_changes(self, obj, decision: str, reason: str | None) -> None:
        if decision == "approve":
            self._apply(obj, self._load(obj.pending_changes, partial=True))
        obj.pending_changes = None
        obj.moderation_note = reason


class _Shadow:
    """Read-through view of ``obj`` with ``loaded`` values on top, for dumping "what it would become"."""

    def __init__(self, loaded: dict, obj):
        self._loaded = loaded
        self._obj = obj

    def __getattr__(self, name):
        if name in self._loaded:
            value = self._loaded[name]
            if name == "indicators":
                return [_Row(row) for row in value]
            return value
        return getattr(self._obj, name)


class _Row:
    def __init__(self, data: dict):
        self.__dict__.update({"comparator": "eq", "value_max": None, "unit": None, **data})
