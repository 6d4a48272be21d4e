"""The workflow engine: a state machine of action classes run through one entry point.

An :class:`Action` names the statuses it leaves (``status_from``) and reaches (``status_to``), the roles that
may run it (``buyer``, ``seller``, ``admin``, ``system``), what must hold before it runs (``blocked``), the
input it takes (a marshmallow ``schema``) and what it does (``execute``). A :class:`Machine` is the set of a
subject's actions. :meth:`WorkflowService.execute_action` is the only code that changes a subject's status: it
locks the row, checks the caller's role, the transition and the action's own conditions, runs the action,
appends an event row and notifies whoever must act next, all in the caller's unit of work.

Deals (:mod:`app.deals.actions`) and service orders (:mod:`app.service_orders.actions`) are two machines on this
engine; the actions every paid workflow shares (payment, cancellation, disputes) are in
:mod:`app.transactions.workflow`, the expiry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from blinker import Namespace
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.permissions import Generator, platform_policy
from app.core.records import document_path
from app.core.uow import UnitOfWork, unit_of_work

BUYER, SELLER, ADMIN, SYSTEM = "buyer", "seller", "admin", "system"
PARTIES = frozenset({BUYER, SELLER})
CREATED = "create"  # the action name of a subject's first event (it has no action class: nothing precedes it)
# Sent as ``transitioned.send(service, obj=…, identity=…, action=…, uow=…)`` inside the transaction of every
# transition and creation; the notifications domain tells whoever must act next.
transitioned = Namespace().signal("workflow-transitioned")


def other_party(role: str) -> str:
    """The counterpart of ``buyer`` / ``seller``."""
    return SELLER if role == BUYER else BUYER


def to_minor_units(amount: Decimal) -> int:
    """CNY (yuan, two decimals) → fen, the payments package's unit."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def load(schema_cls, data) -> dict:
    """``data`` loaded by ``schema_cls``; 422 (``ValidationFailed``) naming each bad field."""
    try:
        return schema_cls().load({} if data is None else data)
    except ValidationError as error:
        raise ValidationFailed(error.normalized_messages()) from None


class ReplayError(RuntimeError):
    """A subject's events do not form a path of its machine."""


@dataclass
class ActionContext:
    """What an action may use while it runs: who acts (and in which role), the unit of work, the clock and the
    service running it (whose domain operations an action calls, so actions never import their service)."""

    identity: Identity
    role: str
    uow: UnitOfWork
    now: datetime
    service: WorkflowService | None = None


class Action:
    """One transition of a workflow subject (override the class attributes and, where needed, the methods)."""

    name: str = ""
    label = ""  # the UI's button text (lazy_gettext)
    status_from: tuple = ()
    status_to = None  # one status, or a tuple of them (then ``target`` picks)
    roles: frozenset = frozenset()
    schema: type[Schema] | None = None
    # False for actions that are always possible (cancel, dispute): their availability asks nothing of anyone.
    awaited: bool = True

    @property
    def targets(self) -> tuple:
        """Every status this action may lead to."""
        return self.status_to if isinstance(self.status_to, tuple) else (self.status_to,)

    def target(self, obj, data: dict):
        """The status ``obj`` reaches (called after :meth:`execute`); single-target actions need not override."""
        return self.targets[0]

    def permits(self, role: str, obj) -> bool:
        """Refines ``roles`` by the subject's state (e.g. only the party that did not make the offer accepts it)."""
        return True

    def blocked(self, obj) -> str | None:
        """Why the action cannot run on ``obj`` now (a 409 message), or None when it can."""
        return None

    def can_execute(self, obj) -> bool:
        return self.blocked(obj) is None

    def load(self, data) -> dict:
        """The validated input; 422 naming each bad field."""
        return load(self.schema, data) if self.schema else {}

    def execute(self, obj, data: dict, ctx: ActionContext) -> dict:
        """Do the work; return the event payload."""
        return {}


class Machine:
    """The actions of one kind of subject, with its initial, expirable and closed statuses."""

    def __init__(self, *, statuses, initial, expirable, actions):
        self.statuses = statuses
        self.initial = initial
        self.expirable = frozenset(expirable)
        self.actions = {action.name: action for action in (cls() for cls in actions)}

    def __getitem__(self, name: str) -> Action:
        return self.actions[name]

    def available(self, obj, role: str | None) -> list[Action]:
        """The actions ``role`` may run on ``obj`` now."""
        return [a for a in self.actions.values()
                if role in a.roles and obj.status in a.status_from and a.permits(role, obj) and a.can_execute(obj)]

    def awaited_roles(self, obj) -> set[str]:
        """The roles someone is waiting for: those with an awaited action available."""
        return {role for role in (BUYER, SELLER, ADMIN)
                for a in self.available(obj, role) if a.awaited}

    def replay(self, events) -> str | None:
        """The status ``events`` lead to, checking each is a transition of this machine."""
        status = None
        for event in events:
            if event.from_status != status:
                raise ReplayError(f"event {event.id} leaves {event.from_status}, but the subject was {status}")
            if event.action == CREATED:
                if status is not None or event.to_status != self.initial.value:
                    raise ReplayError(f"event {event.id} creates the subject twice or in the wrong status")
            else:
                action = self.actions.get(event.action)
                if action is None:
                    raise ReplayError(f"event {event.id}: unknown action {event.action}")
                if status not in {s.value for s in action.status_from}:
                    raise ReplayError(f"event {event.id}: {event.action} cannot leave {status}")
                if event.to_status not in {s.value for s in action.targets}:
                    raise ReplayError(f"event {event.id}: {event.action} cannot reach {event.to_status}")
            status = event.to_status
        return status


# ---------------------------------------------------------------- input schemas shared by the machines


class ReasonSchema(Schema):
    """Input of cancellations, declines, disputes and admin decisions."""

    reason = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class NoteSchema(Schema):
    """An optional free-text note."""

    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


# ---------------------------------------------------------------- how the API shows events and actions


class EventSchema(Schema):
    """One transition of the timeline."""

    id = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_role = fields.String(allow_none=True)
    actor = fields.Function(lambda e: e.actor.display_name if e.actor else None)
    payload = fields.Dict(allow_none=True)
    created_at = fields.DateTime()


class ActionSchema(Schema):
    """An action the caller may run next, with the input fields it takes."""

    name = fields.String()
    label = fields.Function(lambda a: str(a.label))
    fields_ = fields.Function(lambda a: sorted(a.schema().fields) if a.schema else [], data_key="fields")


# ---------------------------------------------------------------- actions any machine may use


class WithReason(Action):
    """An action whose input is a reason, kept in its event (declines, returns, cancellations, decisions)."""

    schema = ReasonSchema

    def execute(self, obj, data, ctx):
        return {"reason": data["reason"]}


class Expire(Action):
    """The scheduled job ends a subject nobody moved before its stage deadline."""

    name = "expire"
    label = _l("Expire")
    roles = frozenset({SYSTEM})
    awaited = False

    def blocked(self, obj):
        if obj.stage_deadline is None or _aware(obj.stage_deadline) > utcnow():
            return "the stage deadline has not passed"
        return None

    def execute(self, obj, data, ctx):
        return {"deadline": _aware(obj.stage_deadline).isoformat()}


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------- the service


class WorkflowService:
    """Reads, the single ``execute_action`` entry point, payment callbacks, expiry and replay for one subject kind.

    ``model`` needs ``status``, ``version`` (mapper ``version_id_col``), ``stage_deadline``, ``buyer_org_id``,
    ``seller_org_id`` and ``title``; ``event_model`` the :class:`~app.core.records.EventMixin` columns and
    ``document_model`` the :class:`~app.core.records.PdfDocumentMixin` ones, each with the foreign key ``fk``
    to the subject; documents are stored under ``UPLOAD_DIR/<documents_folder>``.
    """

    subject_label = ""  # e.g. _l("Deal"), used in notifications
    link_prefix = ""  # site path of the subject's page, e.g. "/deals"

    def __init__(self, *, model, event_model, document_model, fk: str, documents_folder: str, machine: Machine):
        self.model = model
        self.event_model = event_model
        self.document_model = document_model
        self.fk = fk
        self.documents_folder = documents_folder
        self.machine = machine

    # ---------------------------------------------------------------- reads

    @staticmethod
    def role_of(identity: Identity, obj) -> str | None:
        """``buyer``, ``seller``, ``admin``, ``system`` or None (an outsider, who may not know ``obj`` exists)."""
        if identity.is_system:
            return SYSTEM
        if identity.org_id is not None and identity.org_id == obj.buyer_org_id:
            return BUYER
        if identity.org_id is not None and identity.org_id == obj.seller_org_id:
            return SELLER
        if platform_policy.allows("administer", identity, obj):
            return ADMIN
        return None

    def get(self, identity: Identity, obj_id: int, *, lock: bool = False):
        """The subject if ``identity`` may see it (404 otherwise); ``lock`` takes the row lock for a transition."""
        query = select(self.model).where(self.model.id == obj_id)
        if lock:
            # OF <table>: the joined organisations are read, not locked (PostgreSQL refuses to lock outer joins).
            query = query.with_for_update(of=self.model).execution_options(populate_existing=True)
        obj = db.session.scalar(query)
        if obj is None or self.role_of(identity, obj) is None:
            raise NotFound(f"{self.model.__tablename__} {obj_id} not found")
        return obj

    def list(self, identity: Identity, *, statuses=None, page: int = 1, per_page: int = 20, everyone=False):
        """``(rows, total)``: the subjects of ``identity``'s organisation (all of them for an admin asking for
        ``everyone``), most recently changed first."""
        administer = platform_policy.allows("administer", identity)
        if identity.org_id is None and not administer:
            return [], 0
        if everyone and administer:
            query = select(self.model)
        else:
            org = identity.org_id
            query = select(self.model).where((self.model.buyer_org_id == org) | (self.model.seller_org_id == org))
        if statuses:
            try:
                wanted = [self.machine.statuses(status) for status in statuses]
            except ValueError:
                raise ValidationFailed({"status": [f"one of {[s.value for s in self.machine.statuses]}"]}) from None
            query = query.where(self.model.status.in_(wanted))
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = db.session.scalars(
            query.order_by(self.model.updated_at.desc(), self.model.id.desc()).limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return rows, total

    def next_actions(self, identity: Identity, obj) -> list[Action]:
        """What ``identity`` may do with ``obj`` now."""
        return self.machine.available(obj, self.role_of(identity, obj))

    def events_of(self, obj) -> list:
        """The subject's events, oldest first."""
        fk = getattr(self.event_model, self.fk)
        return db.session.scalars(select(self.event_model).where(fk == obj.id).order_by(self.event_model.id)).all()

    def document(self, identity: Identity, obj_id: int, document_id: int):
        """``(document, path)`` of a document of subject ``obj_id`` the identity may read (404 otherwise)."""
        obj = self.get(identity, obj_id)
        document = db.session.get(self.document_model, document_id)
        if document is None or getattr(document, self.fk) != obj.id:
            raise NotFound(f"document {document_id} not found")
        return document, document_path(self.documents_folder, document)

    def replay(self, obj) -> str | None:
        """The status the subject's events lead to (it must equal ``obj.status``); :class:`ReplayError` if they
        do not form a path of the machine."""
        return self.machine.replay(self.events_of(obj))

    # ---------------------------------------------------------------- writes

    def record_creation(self, identity: Identity, obj, payload: dict, *, uow) -> None:
        """Give a new subject its initial status, stage deadline and first event (its creator calls this)."""
        obj.status = self.machine.initial
        self._set_deadline(obj, utcnow())
        uow.session.add(obj)
        uow.session.flush()
        self._append_event(obj, identity, self._creator_role(identity, obj), CREATED, None, payload, uow)
        self._notify(obj, identity, CREATED, uow)

    @unit_of_work
    def execute_action(self, identity: Identity, obj_id: int, action_name: str, data: dict | None = None, *, uow):
        """Run action ``action_name`` on subject ``obj_id`` as ``identity``; the only way a status changes.

        404 when the subject is invisible to ``identity`` or the action does not exist; 403 when ``identity``'s
        role may not run it; 409 (with ``current_status``) when the transition does not apply now; 422 for bad
        ``data``. Appends one event and notifies whoever must act next.
        """
        obj = self.get(identity, obj_id, lock=True)
        action = self.machine.actions.get(action_name)
        if action is None:
            raise NotFound(f"no action {action_name!r}")
        role = self.role_of(identity, obj)
        if role not in action.roles:
            raise PermissionDenied(f"{role} may not {action_name}")
        if obj.status not in action.status_from:
            raise self._conflict(obj, f"{action_name} is not possible in status {obj.status.value}")
        if not action.permits(role, obj):
            raise PermissionDenied(f"{action_name} is for the other party now")
        reason = action.blocked(obj)
        if reason:
            raise self._conflict(obj, reason)
        loaded = action.load(data)
        now = utcnow()
        before = obj.status
        payload = action.execute(obj, loaded, ActionContext(identity, role, uow, now, self)) or {}
        after = action.target(obj, loaded)
        if after not in action.targets:  # a programming error in the action, never a user's
            raise RuntimeError(f"{action_name} tried to reach {after}")
        obj.status = after
        obj.updated_at = now
        self._set_deadline(obj, now)
        self._append_event(obj, identity, role, action_name, before.value, payload, uow)
        try:
            uow.session.flush()
        except StaleDataError:
            # Another transaction changed the row first (possible where the database has no row locks).
            raise self._conflict(obj, "the subject changed meanwhile; reload and retry") from None
        self._notify(obj, identity, action_name, uow)
        return obj

    def on_paid(self, payable_id: int, payment, *, uow) -> None:
        """Payments callback: the buyer's money is held. A second report of the same payment changes nothing."""
        if self._already_recorded(payable_id, "payment_confirmed", payment.id):
            return
        self.execute_action(Identity.system(), payable_id, "payment_confirmed", {"payment_id": payment.id}, uow=uow)

    def on_failed(self, payable_id: int, payment, reason: str, *, uow) -> None:
        """Payments callback: an attempt failed; the event tells the buyer why (the subject keeps waiting)."""
        if self._already_recorded(payable_id, "payment_failed", payment.id):
            return
        self.execute_action(Identity.system(), payable_id, "payment_failed",
                            {"payment_id": payment.id, "reason": (reason or "")[:2000]}, uow=uow)

    def expire_stale(self, now: datetime | None = None) -> list[int]:
        """Expire every subject whose stage deadline passed (each in its own unit of work); returns their ids."""
        now = now or utcnow()
        candidates = db.session.scalars(
            select(self.model.id).where(self.model.status.in_(self.machine.expirable),
                                        self.model.stage_deadline < now)
        ).all()
        expired = []
        for obj_id in candidates:
            try:
                self.execute_action(Identity.system(), obj_id, "expire", {})
                expired.append(obj_id)
            except Conflict:  # a party acted since the query: not stale any more
                db.session.rollback()
        return expired

    # ---------------------------------------------------------------- internals

    @staticmethod
    def _conflict(obj, message: str) -> Conflict:
        return Conflict(message, current_status=obj.status.value)

    @staticmethod
    def _creator_role(identity: Identity, obj) -> str:
        return BUYER if identity.org_id == obj.buyer_org_id else SYSTEM

    def _set_deadline(self, obj, now: datetime) -> None:
        """Stages that wait on a party expire after ``DEAL_STAGE_DEADLINE_DAYS`` without a transition."""
        if obj.status in self.machine.expirable:
            obj.stage_deadline = now + timedelta(days=current_app.config["DEAL_STAGE_DEADLINE_DAYS"])
        else:
            obj.stage_deadline = None

    def _append_event(self, obj, identity, role, action_name, before, payload, uow) -> None:
        event = self.event_model(
            action=action_name, from_status=before, to_status=obj.status.value, actor_role=role,
            actor_user_id=identity.user_id, actor_org_id=identity.org_id, payload=_jsonable(payload),
        )
        setattr(event, self.fk, obj.id)
        uow.session.add(event)

    def _already_recorded(self, obj_id: int, action_name: str, payment_id: int) -> bool:
        fk = getattr(self.event_model, self.fk)
        rows = db.session.scalars(
            select(self.event_model.payload).where(fk == obj_id, self.event_model.action == action_name)
        ).all()
        return any(row.get("payment_id") == payment_id for row in rows)

    def _notify(self, obj, identity: Identity, action_name: str, uow) -> None:
        """Tell the receivers of :data:`transitioned` (the notifications domain tells whoever must act next)."""
        transitioned.send(self, obj=obj, identity=identity, action=action_name, uow=uow)

    def link(self, obj) -> str:
        """The site path of the subject's page (notifications run outside requests, so no url_for)."""
        return f"{self.link_prefix}/{obj.id}"

    def notification_title(self, obj) -> str:
        """The notification title of ``obj``'s new status (in the active locale)."""
        return gettext("%(subject)s #%(id)s “%(title)s”: %(status)s", subject=str(self.subject_label), id=obj.id,
                       title=obj.title, status=str(self.status_label(obj.status)))

    def status_label(self, status) -> str:
        """The UI name of a status (subclasses map their statuses)."""
        return status.value


def _jsonable(payload: dict) -> dict:
    """Event payloads are JSON: decimals and dates become strings."""
    out = {}
    for key, value in payload.items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, dict):
            value = _jsonable(value)
        elif isinstance(value, list):
            value = [_jsonable(item) if isinstance(item, dict) else item for item in value]
        out[key] = value
    return out


class Party(Generator):
    """The workflow's party check as a permission generator: identities whose role on the subject
    (:meth:`WorkflowService.role_of`) is one of ``roles``."""

    def __init__(self, *roles: str):
        self.roles = set(roles)

    def allows(self, identity, obj) -> bool:
        return WorkflowService.role_of(identity, obj) in self.roles
