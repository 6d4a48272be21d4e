"""Who may see and do what with calls and proposals (generators as in :mod:`app.core.permissions`).

Proposals are sealed: before the call's deadline only the proposing organisation and the platform read one;
afterwards the enterprise that published the call reads them too. Nobody else ever does, other proposers
included. Services ask these policies for single objects (``allows``) and for queries (``sql_filter``).
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, select

from app.calls.models import Call, CallNda, CallStatus
from app.core.extensions import db
from app.core.models import utcnow
from app.core.permissions import AuthenticatedOrgKind, Generator, OrgMember, PlatformAdmin, Policy
from app.orgs.models import Organisation

PUBLIC_STATUSES = (CallStatus.published, CallStatus.evaluating, CallStatus.awarded, CallStatus.closed)
PROPOSER_KINDS = ("university", "institute")


class CallOwner(Generator):
    """People of the enterprise that publishes the call (or, on a proposal, the call it answers)."""

    def allows(self, identity, obj) -> bool:
        return identity.org_id is not None and obj.buyer_org_id == identity.org_id

    def sql_filter(self, identity, model):
        return model.buyer_org_id == identity.org_id if identity.org_id is not None else false()


class PublishedCall(Generator):
    """Anyone, once a platform admin published the call (it stays visible after the award or closing)."""

    def allows(self, identity, obj) -> bool:
        return obj.status in PUBLIC_STATUSES

    def sql_filter(self, identity, model):
        return model.status.in_(PUBLIC_STATUSES)


class OpenProblem(Generator):
    """A call that is not confidential shows its full problem to whoever reads it."""

    def allows(self, identity, obj) -> bool:
        return not obj.confidential


class NdaAccepted(Generator):
    """Organisations that accepted the confidential call's NDA (object checks only: details are never listed)."""

    def allows(self, identity, obj) -> bool:
        return identity.org_id is not None and bool(db.session.scalar(select(exists().where(
            CallNda.call_id == obj.id, CallNda.org_id == identity.org_id))))


class Proposer(Generator):
    """People of the organisation that wrote the proposal."""

    def allows(self, identity, obj) -> bool:
        return identity.org_id is not None and obj.seller_org_id == identity.org_id

    def sql_filter(self, identity, model):
        return model.seller_org_id == identity.org_id if identity.org_id is not None else false()


class CallOwnerAfterDeadline(Generator):
    """The call's enterprise, once the call's deadline passed (until then every proposal is sealed); ``obj`` is a
    proposal or the call itself."""

    def allows(self, identity, obj) -> bool:
        call = obj if isinstance(obj, Call) else obj.call
        return CallOwner().allows(identity, obj) and call.deadline_passed

    def sql_filter(self, identity, model):
        if identity.org_id is None:
            return false()
        passed = exists().where(Call.id == model.call_id, Call.deadline <= utcnow())
        return and_(model.buyer_org_id == identity.org_id, passed)


class EligibleKind(Generator):
    """Organisations of a kind the call invites."""

    def allows(self, identity, obj) -> bool:
        return identity.org_kind in obj.eligible_kinds


class EligibleRegion(Generator):
    """Organisations of a region the call invites (any region when it names none)."""

    def allows(self, identity, obj) -> bool:
        if not obj.eligible_regions:
            return True
        region = db.session.scalar(select(Organisation.region).where(Organisation.id == identity.org_id))
        return region in obj.eligible_regions


class CallPolicy(Policy):
    """Calls: published ones are public; the owner and the platform see every status (and the platform lists
    them all) and count the proposals after the deadline. Any member of an organisation may accept an NDA;
    proposers must be of an invited kind and region."""

    can_read = [PublishedCall(), CallOwner(), PlatformAdmin()]
    can_list_all = [PlatformAdmin()]
    can_read_details = [OpenProblem(), CallOwner(), PlatformAdmin(), NdaAccepted()]
    can_count_proposals = [CallOwnerAfterDeadline(), PlatformAdmin()]
    can_evaluate = [CallOwner(), PlatformAdmin()]  # the evaluation board
    can_create = [AuthenticatedOrgKind("enterprise")]
    can_accept_nda = [OrgMember()]
    can_propose = [AuthenticatedOrgKind(*PROPOSER_KINDS)]
    can_propose_as_kind = [EligibleKind()]
    can_propose_from_region = [EligibleRegion()]


class ProposalPolicy(Policy):
    """Sealed proposals: the proposer and the platform always, the call's owner only after the deadline; the
    thread is the proposer's and the owner's alone."""

    can_read = [Proposer(), CallOwnerAfterDeadline(), PlatformAdmin()]
    can_list_all = [PlatformAdmin()]
    can_message = [Proposer(), CallOwnerAfterDeadline()]


call_policy = CallPolicy()
proposal_policy = ProposalPolicy()
