"""The deal service: opening deals, the one ``execute_action`` entry point (from the workflow engine), offers,
the message thread, documents, the contract PDF, the registration export and what the NDA unlocks.

Only the parties (every user of the buyer and the seller organisation) and platform admins see a deal; anyone
else gets 404, as if it did not exist.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.records import checked_pdf, store_pdf
from app.core.uow import unit_of_work
from app.core.workflow import BUYER, SELLER, WorkflowService, load, other_party
from app.deals import contract, registration
from app.deals.actions import DOCUMENTS_FOLDER, MACHINE, STATUS_LABELS
from app.deals.models import TERMINAL, Deal, DealDocument, DealEvent, DealMessage, DealOffer, DealStatus, deal_patents
from app.deals.policy import deal_policy
from app.deals.schemas import CreateDealSchema, MessageSchema, OfferTermsSchema
from app.demands.models import TechDemand
from app.listings.models import ListingStatus
from app.matching.models import Match
from app.notifications.service import tell
from app.notifications.workflow import party_recipients
from app.patents.models import Patent, PatentAttachment
from app.patents.service import patents_service
from app.service_offers.models import ServiceOffer
from app.service_offers.service import service_offers_service

MAX_ATTACHMENTS = 5


def nda_signed_between(buyer_org_id: int | None, patent_id: int) -> bool:
    """True when organisation ``buyer_org_id`` accepted an NDA in a deal on ``patent_id`` (it then may read the
    patent's confidential fields and attachments; the seller disclosed them, so a later cancellation keeps it)."""
    if buyer_org_id is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        Deal.id == deal_patents.c.deal_id, deal_patents.c.patent_id == patent_id,
        Deal.buyer_org_id == buyer_org_id, Deal.nda_signed_at.isnot(None),
    ))))


class DealService(WorkflowService):
    """Deals on the workflow engine, plus what only deals have."""

    subject_label = _l("Deal")
    link_prefix = "/deals"

    def status_label(self, status) -> str:
        return STATUS_LABELS[status]

    # ---------------------------------------------------------------- opening a deal

    @unit_of_work
    def create(self, identity: Identity, data: dict, *, uow) -> Deal:
        """Open a deal as the buyer: an inquiry on a published patent (or a bundle of one seller's patents),
        optionally from the buyer's demand or one of its matches. 409 when the buyer already has an open deal
        on the same patent."""
        deal_policy.require("open", identity, message="log in as a member of the organisation that wants to buy")
        loaded = load(CreateDealSchema, data)
        demand_id, patent_ids = self._origin(identity, loaded)
        patents = [self._patent(identity, pid) for pid in patent_ids]
        sellers = {p.org_id for p in patents}
        if len(sellers) != 1:
            raise ValidationFailed({"patent_ids": ["a bundle must come from one seller organisation"]})
        seller_org_id = sellers.pop()
        if seller_org_id == identity.org_id:
            raise ValidationFailed({"patent_id": ["this is your own organisation's patent"]})
        existing = db.session.scalar(
            select(Deal.id).join(deal_patents, deal_patents.c.deal_id == Deal.id)
            .where(Deal.buyer_org_id == identity.org_id, deal_patents.c.patent_id.in_(patent_ids),
                   Deal.status.notin_(TERMINAL))
        )
        if existing:
            raise Conflict(f"your organisation already has an open deal on this patent (deal {existing})",
                           deal_id=existing)
        title = patents[0].title if len(patents) == 1 else f"{patents[0].title} +{len(patents) - 1}"
        match_id = loaded.get("match_id") or self.stored_match(demand_id, patent_ids[0])
        deal = Deal(title=title[:300], buyer_org_id=identity.org_id, seller_org_id=seller_org_id,
                    opened_by_id=identity.user_id, demand_id=demand_id, match_id=match_id, patents=patents)
        self.record_creation(identity, deal, {"message": loaded["message"], "patent_ids": patent_ids,
                                              "demand_id": demand_id, "match_id": match_id}, uow=uow)
        uow.session.add(DealMessage(deal_id=deal.id, author_id=identity.user_id, author_org_id=identity.org_id,
                                    body=loaded["message"]))
        return deal

    @unit_of_work
    def open_awarded(self, identity: Identity, *, seller_org_id: int, title: str, terms: dict,
                     demand_id: int | None = None, uow) -> Deal:
        """Open a deal whose terms an award fixed (a call for solutions, :mod:`app.calls`): ``identity``'s
        organisation buys from ``seller_org_id`` on ``terms`` (:class:`OfferTermsSchema`); no patent is needed.
        The deal starts agreed and continues to the contract through the usual actions."""
        stored = OfferTermsSchema().stored(load(OfferTermsSchema, terms))
        deal = Deal(title=title[:300], buyer_org_id=identity.org_id, seller_org_id=seller_org_id,
                    opened_by_id=identity.user_id, demand_id=demand_id, terms=stored)
        self.record_creation(identity, deal, {"awarded": True}, uow=uow)
        return self.execute_action(Identity.system(), deal.id, "fix_awarded_terms", {}, uow=uow)

    def _origin(self, identity: Identity, loaded: dict) -> tuple[int | None, list[int]]:
        """The demand and patent ids a deal starts from: a match names both; a demand must be the buyer's own."""
        demand_id = loaded.get("demand_id")
        patent_ids = list(dict.fromkeys(loaded.get("patent_ids") or ([loaded["patent_id"]] if loaded.get("patent_id")
                                                                      else [])))
        if loaded.get("match_id"):
            match = db.session.get(Match, loaded["match_id"])
            if match is None or (match.source_resource, match.target_resource) != ("demands", "patents"):
                raise ValidationFailed({"match_id": ["no such match of a demand with a patent"]})
            if demand_id not in (None, match.source_id) or (patent_ids and match.target_id not in patent_ids):
                raise ValidationFailed({"match_id": ["the match names another demand or patent"]})
            demand_id = match.source_id
            patent_ids = patent_ids or [match.target_id]
        if demand_id is not None:
            demand = db.session.get(TechDemand, demand_id)
            if demand is None or demand.org_id != identity.org_id:
                raise ValidationFailed({"demand_id": ["not a demand of your organisation"]})
        return demand_id, patent_ids

    @staticmethod
    def stored_match(demand_id: int | None, patent_id: int) -> int | None:
        """The id of the stored match of ``demand_id`` with ``patent_id``, if the matcher recorded one."""
        if demand_id is None:
            return None
        return db.session.scalar(select(Match.id).where(
            Match.source_resource == "demands", Match.source_id == demand_id,
            Match.target_resource == "patents", Match.target_id == patent_id))

    @staticmethod
    def _patent(identity: Identity, patent_id: int) -> Patent:
        try:
            patent = patents_service.get(identity, patent_id)
        except NotFound:
            raise ValidationFailed({"patent_id": [f"patent {patent_id} not found"]}) from None
        if patent.status != ListingStatus.approved:
            raise ValidationFailed({"patent_id": [f"patent {patent_id} is not published"]})
        return patent

    # ---------------------------------------------------------------- offers, messages, documents

    def offers(self, identity: Identity, deal_id: int) -> list[DealOffer]:
        """Every offer of the deal, oldest first."""
        return list(self.get(identity, deal_id).offers)

    def messages(self, identity: Identity, deal_id: int) -> list[DealMessage]:
        """The deal's thread, oldest first (parties and admins)."""
        deal = self._thread_reader(identity, deal_id)
        return db.session.scalars(select(DealMessage).where(DealMessage.deal_id == deal.id)
                                  .order_by(DealMessage.id)).all()

    @unit_of_work
    def post_message(self, identity: Identity, deal_id: int, body: str, files=(), *, uow) -> DealMessage:
        """Add a message (and up to five PDF attachments) to the thread; the other side is notified.

        Every file is checked before anything is written, so a bad attachment leaves no message behind.
        """
        deal = self._thread_reader(identity, deal_id)
        errors = MessageSchema().validate({"body": body})
        files = [f for f in files if f is not None and f.filename]
        if len(files) > MAX_ATTACHMENTS:
            errors["files"] = [f"at most {MAX_ATTACHMENTS} attachments"]
        checked = []
        for upload in files if "files" not in errors else ():
            try:
                checked.append(checked_pdf(upload))
            except ValidationFailed as error:
                errors["files"] = [f"{upload.filename}: {message}" for message in error.errors["file"]]
                break
        if errors:
            raise ValidationFailed(errors)
        message = DealMessage(deal_id=deal.id, author_id=identity.user_id, author_org_id=identity.org_id, body=body)
        uow.session.add(message)
        uow.session.flush()
        for content, filename in checked:
            store_pdf(DealDocument, DOCUMENTS_FOLDER, content, filename, uow=uow, deal_id=deal.id,
                      message_id=message.id, kind="attachment", uploaded_by_id=identity.user_id)
        role = self.role_of(identity, deal)
        readers = [other_party(role)] if role in (BUYER, SELLER) else [BUYER, SELLER]
        for reader in readers:
            tell(party_recipients(deal, reader), "deals.message", self.link(deal), uow=uow,
                 title=lambda: gettext("New message in deal #%(id)s “%(title)s”", id=deal.id, title=deal.title),
                 body=lambda: body[:500])
        return message

    def _thread_reader(self, identity: Identity, deal_id: int) -> Deal:
        deal = self.get(identity, deal_id)
        deal_policy.require("read_thread", identity, deal, message="the thread is for the parties and platform admins")
        return deal

    # ---------------------------------------------------------------- patents and what the NDA unlocks

    def may_read_confidential(self, identity: Identity, deal: Deal) -> bool:
        """The seller and admins always; the buyer once the NDA is in force."""
        return deal_policy.allows("read_confidential", identity, deal)

    def patents_of(self, identity: Identity, deal: Deal) -> list[dict]:
        """The deal's patents as the identity may see them: confidential fields and attachments after the NDA."""
        insider = self.may_read_confidential(identity, deal)
        out = []
        for patent in deal.patents:
            data = patents_service.dump(identity, patent, extra_allowed=insider)
            data["attachments"] = [{"id": a.id, "filename": a.filename, "confidential": a.confidential}
                                   for a in patent.attachments if insider or not a.confidential]
            out.append(data)
        return out

    def patent_attachment(self, identity: Identity, deal_id: int, attachment_id: int) -> PatentAttachment:
        """An attachment of one of the deal's patents; confidential ones only after the NDA (404 otherwise)."""
        deal = self.get(identity, deal_id)
        attachment = db.session.get(PatentAttachment, attachment_id)
        if (attachment is None or attachment.patent_id not in {p.id for p in deal.patents}
                or (attachment.confidential and not self.may_read_confidential(identity, deal))):
            raise NotFound(f"attachment {attachment_id} not found")
        return attachment

    @staticmethod
    def bookable_services(identity: Identity, kind) -> list[ServiceOffer]:
        """Published service offers of ``kind`` (pilot or inspection) a deal may book (the offers' policy)."""
        return db.session.scalars(select(ServiceOffer).where(
            service_offers_service.policy.sql_filter("book", identity, ServiceOffer), ServiceOffer.kind == kind,
        ).order_by(ServiceOffer.title)).all()

    # ---------------------------------------------------------------- contract and registration

    def contract_pdf(self, identity: Identity, deal_id: int) -> tuple[Deal, bytes]:
        """The contract PDF (409 before a contract was generated)."""
        deal = self.get(identity, deal_id)
        if not deal.contract:
            raise Conflict("no contract has been generated yet", current_status=deal.status.value)
        return deal, contract.render_pdf(deal, registration.registration_record(deal))

    def registration(self, identity: Identity, deal_id: int) -> tuple[Deal, dict]:
        """The technology-contract registration record of a completed deal (409 before completion)."""
        deal = self.get(identity, deal_id)
        if deal.status != DealStatus.completed:
            raise Conflict("the registration export is available once the deal is completed",
                           current_status=deal.status.value)
        return deal, registration.registration_record(deal)


deals_service = DealService(model=Deal, event_model=DealEvent, document_model=DealDocument, fk="deal_id",
                            documents_folder=DOCUMENTS_FOLDER, machine=MACHINE)
