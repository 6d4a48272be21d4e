"""The sale service: putting a patent up, the public list and view of sales, and the workflow engine's single
``execute_action`` entry point (inherited) with roles that follow an organisation's participation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.uow import unit_of_work
from app.core.workflow import ADMIN, BUYER, SELLER, SYSTEM, WorkflowService, load
from app.listings.models import ListingStatus
from app.notifications.service import recipients_of_org
from app.patents.models import Patent
from app.sales.actions import (
    BIDDER,
    DOCUMENTS_FOLDER,
    INTERESTED,
    MACHINE,
    STATUS_LABELS,
    aware,
    minimum_bid,
    participant_of,
    platform_admins,
)
from app.sales.models import (
    TERMINAL,
    OpenLicenceTaken,
    Sale,
    SaleDocument,
    SaleEvent,
    SaleKind,
    SaleParticipant,
    SaleStatus,
)
from app.sales.policy import sale_policy
from app.sales.schemas import CreateSaleSchema


class SaleService(WorkflowService):
    """Public sales on the workflow engine."""

    subject_label = _l("Sale")
    link_prefix = "/auctions"

    def status_label(self, status) -> str:
        return STATUS_LABELS[status]

    # ---------------------------------------------------------------- roles and reads

    @staticmethod
    def role_of(identity: Identity, obj) -> str | None:
        """``seller``, ``admin``, ``system``; for another verified organisation ``bidder`` (deposit held),
        ``interested`` (registered interest) or ``buyer``; None for everyone else (they may only look)."""
        if identity.is_system:
            return SYSTEM
        if identity.org_id is not None and identity.org_id == obj.seller_org_id:
            return SELLER
        if sale_policy.allows("administer", identity, obj):
            return ADMIN
        if not (sale_policy.allows("take_part", identity, obj) and sale_policy.allows("read", identity, obj)):
            return None
        participant = participant_of(obj, identity.org_id)
        if participant is not None and participant.deposit_held:
            return BIDDER
        if participant is not None and participant.interested_at is not None:
            return INTERESTED
        return BUYER

    def get(self, identity: Identity, obj_id: int, *, lock: bool = False) -> Sale:
        """A sale anyone may see once published (404 otherwise); ``lock`` (a transition) also needs a role."""
        query = select(Sale).where(Sale.id == obj_id)
        if lock:
            query = query.with_for_update(of=Sale).execution_options(populate_existing=True)
        sale = db.session.scalar(query)
        if sale is None or not sale_policy.allows("read", identity, sale):
            raise NotFound(f"sale {obj_id} not found")
        if lock and self.role_of(identity, sale) is None:
            raise NotFound(f"sale {obj_id} not found")
        return sale

    def list(self, identity: Identity, *, kinds=tuple(SaleKind), running: bool = True, page: int = 1,
             per_page: int = 20):
        """``(rows, total)``: sales of ``kinds`` ``identity`` may see, those ending soonest first."""
        query = select(Sale).where(sale_policy.sql_filter("read", identity, Sale),
                                   Sale.kind.in_([SaleKind(kind) for kind in kinds]))
        if running:
            query = query.where(Sale.status.notin_(TERMINAL))
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = db.session.scalars(query.order_by(func.coalesce(Sale.ends_at, Sale.notice_ends_at), Sale.id.desc())
                                  .limit(per_page).offset((page - 1) * per_page)).all()
        return rows, total

    @staticmethod
    def _creator_role(identity: Identity, obj) -> str:
        return SELLER

    def next_actions(self, identity: Identity, obj) -> list:
        """What ``identity`` may do now (nothing for onlookers)."""
        role = self.role_of(identity, obj)
        return self.machine.available(obj, role) if role else []

    def view(self, identity: Identity, sale: Sale) -> Sale:
        """``sale`` with what its reader may know set on it (see :class:`~app.sales.schemas.SaleSchema`): the
        anonymised bid history, time left, counts, the reader's own standing and next actions."""
        role = self.role_of(identity, sale)
        mine = participant_of(sale, identity.org_id)
        ends = aware(sale.ends_at if sale.status == SaleStatus.bidding else sale.notice_ends_at)
        bids = list(reversed(sale.bids))
        me = {"role": role, "number": mine.number if mine else None, "deposit_held": bool(mine and mine.deposit_held),
              "interested": bool(mine and mine.interested_at),
              "leading": bool(mine and bids and bids[0].participant_id == mine.id), "deal_id": None}
        if role in (SELLER, ADMIN) or (identity.org_id and identity.org_id == sale.buyer_org_id):
            me["deal_id"] = sale.deal_id
        sale.status_label = str(self.status_label(sale.status))
        sale.bids_public = [{"bidder": f"竞买人{b.participant.number}", "amount": f"{b.amount:.2f}",
                             "created_at": b.created_at, "extended_to": b.extended_to} for b in bids]
        sale.me = me
        sale.minimum_bid = f"{minimum_bid(sale):.2f}" if sale.status == SaleStatus.bidding else None
        sale.seconds_left = max(0, int((ends - utcnow()).total_seconds())) if ends and sale.is_open else None
        sale.reserve_met = None if sale.current_price is None else (
            sale.reserve_price is None or sale.current_price >= sale.reserve_price)
        sale.interested = sum(1 for p in sale.participants if p.interested_at)
        sale.bidders = sum(1 for p in sale.participants if p.deposit_held)
        sale.licences_taken = licences_taken(sale)
        sale.next_actions = self.next_actions(identity, sale)
        return sale

    def objections(self, identity: Identity) -> list[SaleParticipant]:
        """Every objection raised against a listing, newest first (the admin desk)."""
        sale_policy.require("list_objections", identity, message="platform admins only")
        return db.session.scalars(select(SaleParticipant).where(SaleParticipant.objection.isnot(None))
                                  .order_by(SaleParticipant.objected_at.desc())).all()

    # ---------------------------------------------------------------- writes

    @unit_of_work
    def create(self, identity: Identity, data: dict, *, uow) -> Sale:
        """Put one of the organisation's published patents up (org admins): a 挂牌 listing, an auction or an
        open licence, published at once."""
        loaded = load(CreateSaleSchema, data)
        patent = db.session.get(Patent, loaded["patent_id"])
        if patent is None:
            raise ValidationFailed({"patent_id": ["no such patent"]})
        sale_policy.require("create", identity, patent, message="only an admin of the patent's owner organisation may sell it")
        errors = {}
        if patent.status != ListingStatus.approved:
            errors["patent_id"] = ["the patent is not published"]
        elif db.session.scalar(select(Sale.id).where(Sale.patent_id == patent.id, Sale.status.notin_(TERMINAL))):
            errors["patent_id"] = ["the patent is already on sale"]
        if loaded["deposit"] is not None and loaded["deposit"] >= loaded["price"]:
            errors["deposit"] = ["must be below the price"]
        if loaded["ends_at"] is not None and loaded["ends_at"] <= utcnow():
            errors["ends_at"] = ["must be in the future"]
        if errors:
            raise ValidationFailed(errors)
        kind = SaleKind(loaded["kind"])
        sale = Sale(kind=kind, patent_id=patent.id, patent=patent, title=patent.title[:300],
                    seller_org_id=patent.org_id, created_by_id=identity.user_id, terms=_stored(loaded["terms"]),
                    price=loaded["price"], reserve_price=loaded["reserve_price"], increment=loaded["increment"],
                    deposit=loaded["deposit"], ends_at=loaded["ends_at"] if kind == SaleKind.auction else None)
        self.record_creation(identity, sale, {"kind": kind.value, "patent_id": patent.id}, uow=uow)
        return self.execute_action(identity, sale.id, "publish", {}, uow=uow)

    def close_due(self) -> list[int]:
        """Close every notice period and auction whose time is up (each in its own unit of work); returns ids."""
        now = utcnow()
        due = db.session.execute(select(Sale.id, Sale.status).where(
            ((Sale.status == SaleStatus.notice) & (Sale.notice_ends_at <= now))
            | ((Sale.status == SaleStatus.bidding) & (Sale.ends_at <= now)))).all()
        closed = []
        for sale_id, status in due:
            action = "close_notice" if status == SaleStatus.notice else "close_auction"
            try:
                self.execute_action(Identity.system(), sale_id, action, {})
                closed.append(sale_id)
            except Conflict:  # a late bid extended it meanwhile: the next run closes it
                db.session.rollback()
        return closed

    def on_deposit_paid(self, participant_id: int, payment, *, uow) -> None:
        """Payments callback: a deposit is held (a second report changes nothing; a closed auction refuses it,
        so the payments package voids the authorisation)."""
        participant = db.session.get(SaleParticipant, participant_id)
        if participant.deposit_held:
            return
        self.execute_action(Identity.system(), participant.sale_id, "deposit_confirmed", {"payment_id": payment.id},
                            uow=uow)

    @staticmethod
    def on_deposit_failed(participant_id: int, payment, reason: str, *, uow) -> None:
        """Payments callback: a deposit attempt failed; nothing changes (the bidder may try again)."""

    def recipients(self, obj, role: str):
        """Buyers are every participant organisation; the seller its organisation; admins the platform's."""
        if role == SELLER:
            return recipients_of_org(obj.seller_org_id)
        if role == ADMIN:
            return platform_admins()
        return [user for p in obj.participants for user in recipients_of_org(p.org_id)]


def _stored(terms: dict) -> dict:
    """Sale terms as JSON (decimals as strings)."""
    return {key: (f"{value:.2f}" if hasattr(value, "quantize") else value) for key, value in terms.items()}


def licences_taken(sale: Sale) -> int:
    """How many open licences were taken from ``sale``."""
    return db.session.scalar(select(func.count()).select_from(OpenLicenceTaken)
                             .where(OpenLicenceTaken.sale_id == sale.id)) or 0


def licences_of_patent(patent_id: int) -> int:
    """How many open licences were taken on ``patent_id`` (shown on the patent page)."""
    return db.session.scalar(select(func.count()).select_from(OpenLicenceTaken).join(Sale)
                             .where(Sale.patent_id == patent_id)) or 0


def running_sale_of(patent_id: int) -> Sale | None:
    """The published sale of ``patent_id`` still running, if any (one at a time per patent)."""
    return db.session.scalar(select(Sale).where(Sale.patent_id == patent_id, Sale.status != SaleStatus.draft,
                                                Sale.status.notin_(TERMINAL)))


sales_service = SaleService(model=Sale, event_model=SaleEvent, document_model=SaleDocument, fk="sale_id",
                            documents_folder=DOCUMENTS_FOLDER, machine=MACHINE)
