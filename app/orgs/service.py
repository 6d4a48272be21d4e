"""Organisation service: profile edits, verification requests and admin verification decisions."""
from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.messages import NOT_OFFERED
from app.core.models import utcnow
from app.core.uow import unit_of_work
from app.core.validators import validate_credit_code
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.orgs.policy import org_policy
from app.orgs.schemas import OrganisationSchema

# Sent as ``verification_decided.send(org, decision=..., reason=..., uow=...)`` inside the decision's transaction
# (receivers: the organisation's notification).
verification_decided = Namespace().signal("verification-decided")


def normalised_credit_code(value: str | None) -> str | None:
    """Validated credit code or None; raises ``ValidationFailed`` naming the field."""
    if not value:
        return None
    try:
        return validate_credit_code(value)
    except ValueError as error:
        raise ValidationFailed({"credit_code": [str(error)]}) from None


def get(identity: Identity, org_id: int) -> Organisation:
    """Any organisation is public by name; 404 when it does not exist."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id} not found")
    return org


def hidden_from(identity: Identity, org: Organisation) -> tuple[str, ...]:
    """What only the organisation's members and platform admins see: the credit code and verification note."""
    insider = org_policy.allows("read_private", identity, org)
    return () if insider else ("credit_code", "verification_note")


# The API's response schema: the public profile, the insiders' fields for the request's identity.
response_schema = OrganisationSchema(hide=hidden_from)


def dump(identity: Identity, org: Organisation) -> dict:
    """Public profile as ``identity`` may see it (see :func:`hidden_from`)."""
    return OrganisationSchema(exclude=hidden_from(identity, org)).dump(org)


@unit_of_work
def request_verification(identity: Identity, credit_code: str, *, org_id: int | None = None, uow) -> Organisation:
    """An org admin submits the credit code of their organisation (``org_id``, by default theirs) for verification."""
    org_id = identity.org_id if org_id is None else org_id
    org = db.session.get(Organisation, org_id) if org_id is not None else None
    # An unknown organisation is refused like another one: only an organisation's own admins may ask.
    org_policy.require("request_verification", identity, org or Organisation(),
                       message="only organisation admins request verification of their own organisation")
    if org.verification_status == VerificationStatus.verified:
        raise Conflict(_l("already verified"), current_status=org.verification_status.value)
    code = normalised_credit_code(credit_code)
    if code is None:
        raise ValidationFailed({"credit_code": [_l("a unified social credit code is required")]})
    clash = db.session.scalar(select(Organisation.id).where(Organisation.credit_code == code, Organisation.id != org.id))
    if clash:
        raise Conflict("another organisation uses this credit code", errors={"credit_code": [_l("Another organisation uses this credit code.")]})
    org.credit_code = code
    org.verification_status = VerificationStatus.pending
    return org


@unit_of_work
def decide_verification(identity: Identity, org_id: int, decision: str, reason: str | None = None, *, uow):
    """A platform admin verifies or rejects an organisation; the decision is audited."""
    org_policy.require("verify", identity, message="only platform admins verify organisations")
    org = get(identity, org_id)
    if decision not in ("verify", "reject"):
        raise ValidationFailed({"decision": ["must be verify or reject"]})
    if decision == "verify" and not org.credit_code:
        raise ValidationFailed({"credit_code": ["an organisation needs a valid credit code to be verified"]})
    if decision == "reject" and not (reason or "").strip():
        raise ValidationFailed({"reason": [_l("Give a reason.")]})
    before = OrganisationSchema().dump(org)
    org.verification_status = VerificationStatus.verified if decision == "verify" else VerificationStatus.rejected
    org.verified_at = utcnow() if decision == "verify" else None
    org.verification_note = reason
    uow.session.add(
        AuditEntry(
            actor_id=identity.user_id,
            action=f"organisation.{decision}",
            object_type="organisation",
            object_id=org.id,
            reason=reason,
            before=before,
            after=OrganisationSchema().dump(org),
        )
    )
    verification_decided.send(org, decision=decision, reason=reason, uow=uow)
    return org


def pending_verifications(identity: Identity) -> list[Organisation]:
    """Organisations waiting for a verification decision, oldest first (platform admins)."""
    org_policy.require("list", identity, message="only platform admins list organisations")
    return db.session.scalars(
        select(Organisation)
        .where(Organisation.verification_status == VerificationStatus.pending)
        .order_by(Organisation.updated_at)
    ).all()


def list_organisations(identity: Identity, *, status: str | None = None, kind: str | None = None) -> list[Organisation]:
    """Every organisation, optionally of one verification ``status`` and ``kind`` (platform admins).

    Ordered by last change, oldest first, so a queue of pending requests is served in arrival order.
    """
    org_policy.require("list", identity, message="only platform admins list organisations")
    query = select(Organisation).order_by(Organisation.updated_at, Organisation.id)
    for name, enum_cls, column, value in (("status", VerificationStatus, Organisation.verification_status, status),
                                          ("kind", OrgKind, Organisation.kind, kind)):
        if value:
            if value not in enum_cls.__members__:
                raise ValidationFailed({name: [NOT_OFFERED]})
            query = query.where(column == enum_cls(value))
    return db.session.scalars(query).all()


@unit_of_work
def ensure_demo_org(name: str, kind: str, region: str | None = None, *, uow) -> Organisation:
    """The organisation called ``name``, created verified and labelled as demo data when absent (imports, seeds)."""
    org = uow.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=OrgKind(kind), region=region, is_demo=True,
                           verification_status=VerificationStatus.verified, verified_at=utcnow())
        uow.session.add(org)
        uow.session.flush()
    return org


def find_by_name(name: str) -> Organisation | None:
    """The organisation called exactly ``name``."""
    return db.session.scalar(select(Organisation).where(Organisation.name == name))
