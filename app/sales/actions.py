"""The sale workflow on the deal engine (:mod:`app.core.workflow`):

    draft ─publish (seller)→ notice (挂牌) | bidding (auction) | licensing (open licence)
    notice ─register_interest / raise_objection→ notice ─close_notice (system, after the notice period)→
        sold (one interested buyer: a deal at the listed price) | bidding (several: an auction) | closed (none)
    bidding ─register_bidder (starts the deposit) / deposit_confirmed (system) / place_bid→ bidding
    bidding ─close_auction (system, after ``ends_at``)→ sold (highest bid ≥ reserve) | failed (deposits refunded)
    licensing ─take_licence (each a deal straight to payment)→ licensing ─close_licensing (seller)→ closed
    notice | bidding (no bid yet) | licensing ─withdraw (seller, admin)→ withdrawn (deposits refunded)

Roles follow the engine's: the patent owner is the ``seller``; any other verified organisation is a ``buyer``
until it registers interest (``interested``) or its auction deposit is held (``bidder``).
"""
from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.core.errors import Conflict, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.workflow import ADMIN, BUYER, SELLER, SYSTEM, Action, Machine, WithReason, to_minor_units
from app.notifications.service import tell
from app.payments import service as payments
from app.payments.models import Payment
from app.sales import deals as sale_deals
from app.sales.models import OpenLicenceTaken, SaleBid, SaleKind, SaleParticipant
from app.sales.models import SaleStatus as S
from app.sales.schemas import BidSchema, ObjectionSchema
from app.transactions.workflow import PaymentEventSchema

INTERESTED, BIDDER = "interested", "bidder"
PUBLIC = frozenset({BUYER, INTERESTED, BIDDER})  # verified organisations other than the seller
DOCUMENTS_FOLDER = "sales"

STATUS_LABELS = {
    S.draft: _l("Draft"),
    S.notice: _l("Listed (notice period)"),
    S.bidding: _l("Auction running"),
    S.licensing: _l("Open licence available"),
    S.sold: _l("Sold"),
    S.failed: _l("Auction failed"),
    S.closed: _l("Closed"),
    S.withdrawn: _l("Withdrawn"),
}


def participant_of(sale, org_id: int | None, *, create: bool = False) -> SaleParticipant | None:
    """Organisation ``org_id``'s participation in ``sale`` (added when ``create``)."""
    if org_id is None:
        return None
    row = db.session.scalar(select(SaleParticipant).where(SaleParticipant.sale_id == sale.id,
                                                          SaleParticipant.org_id == org_id))
    if row is None and create:
        row = SaleParticipant(sale_id=sale.id, org_id=org_id, seller_org_id=sale.seller_org_id)
        db.session.add(row)
        db.session.flush()
    return row


def platform_admins() -> list[User]:
    """The active platform admins (the admin desk)."""
    return list(db.session.scalars(select(User).where(User.role == Role.platform_admin, User.active.is_(True))))


def minimum_bid(sale) -> Decimal:
    """The lowest acceptable next bid: the opening price, then the current price plus the increment."""
    return sale.price if sale.current_price is None else sale.current_price + sale.increment


def aware(moment):
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _passed(moment) -> bool:
    return moment is not None and aware(moment) <= utcnow()


def refund_deposits(sale, ctx, *, keep: SaleParticipant | None = None) -> int:
    """Refund every held deposit of ``sale`` but ``keep``'s; returns how many fen went back."""
    refunded = 0
    for participant in sale.participants:
        if participant.deposit_held and participant.id != (keep.id if keep else None):
            payment = payments.payment_of(participant)
            payments.refund(Identity.system(), participant, reason="auction deposit returned", uow=ctx.uow)
            refunded += payment.total
    return refunded


# ---------------------------------------------------------------- opening


class Publish(Action):
    """The seller's new sale goes public: a 挂牌 starts its notice period, an auction its bidding."""

    name = "publish"
    label = _l("Publish")
    status_from = (S.draft,)
    status_to = (S.notice, S.bidding, S.licensing)
    roles = frozenset({SELLER})

    def execute(self, obj, data, ctx):
        if obj.kind == SaleKind.listing:
            obj.notice_ends_at = add_working_days(ctx.now, current_app.config.get("SALE_NOTICE_WORKING_DAYS", 20))
        return {"kind": obj.kind.value, "price": obj.price, "notice_ends_at": obj.notice_ends_at,
                "ends_at": obj.ends_at}

    def target(self, obj, data):
        return {SaleKind.listing: S.notice, SaleKind.auction: S.bidding, SaleKind.open_licence: S.licensing}[obj.kind]


def add_working_days(start, days: int):
    """``start`` plus ``days`` working days (Monday to Friday; public holidays are not modelled)."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


# ---------------------------------------------------------------- 挂牌 notice period


class DuringNotice(Action):
    """Possible only while the notice period runs."""

    status_from = (S.notice,)
    status_to = S.notice
    awaited = False

    def blocked(self, obj):
        return "the notice period has ended" if _passed(obj.notice_ends_at) else None


class RegisterInterest(DuringNotice):
    """A verified organisation registers its interest in buying at the listed price."""

    name = "register_interest"
    label = _l("Register interest")
    roles = frozenset({BUYER})

    def execute(self, obj, data, ctx):
        participant = participant_of(obj, ctx.identity.org_id, create=True)
        participant.interested_at = ctx.now
        return {"participant_id": participant.id}


class RaiseObjection(DuringNotice):
    """Anyone verified objects to the listing (e.g. ownership); the platform admins are told at once."""

    name = "raise_objection"
    label = _l("Raise an objection")
    roles = frozenset({BUYER, INTERESTED})
    schema = ObjectionSchema

    def execute(self, obj, data, ctx):
        participant = participant_of(obj, ctx.identity.org_id, create=True)
        participant.objection, participant.objected_at = data["reason"], ctx.now
        tell(platform_admins(), "sales.objection", f"/auctions/{obj.id}", uow=ctx.uow,
             title=lambda: gettext("Objection to listing #%(id)s “%(title)s”", id=obj.id, title=obj.title),
             body=lambda: data["reason"][:500])
        return {"participant_id": participant.id, "reason": data["reason"]}


class CloseNotice(Action):
    """At the end of the notice period: one interested buyer buys at the listed price, several bid in an
    auction (the listed price opens it), none closes the listing."""

    name = "close_notice"
    label = _l("Close the notice period")
    status_from = (S.notice,)
    status_to = (S.sold, S.bidding, S.closed)
    roles = frozenset({SYSTEM})

    def blocked(self, obj):
        return None if _passed(obj.notice_ends_at) else "the notice period has not ended"

    def execute(self, obj, data, ctx):
        interested = [p for p in obj.participants if p.interested_at is not None]
        if len(interested) == 1:
            deal = sale_deals.open_deal(obj, interested[0].org_id, obj.price, uow=ctx.uow)
            return {"interested": 1, "deal_id": deal.id}
        if len(interested) > 1:
            obj.kind = SaleKind.auction
            obj.reserve_price = obj.price
            obj.ends_at = ctx.now + timedelta(hours=current_app.config.get("AUCTION_HOURS", 72))
        return {"interested": len(interested), "ends_at": obj.ends_at}

    def target(self, obj, data):
        return S.sold if obj.deal_id else (S.bidding if obj.kind == SaleKind.auction else S.closed)


# ---------------------------------------------------------------- the auction


class BeforeTheEnd(Action):
    """Possible only while bidding runs."""

    status_from = (S.bidding,)
    status_to = S.bidding
    awaited = False

    def blocked(self, obj):
        return "bidding has ended" if _passed(obj.ends_at) else None


class RegisterBidder(BeforeTheEnd):
    """A verified organisation registers as a bidder and starts paying its refundable deposit; it may bid once
    the platform holds the deposit. Registering again resumes the same payment."""

    name = "register_bidder"
    label = _l("Register and pay the deposit")
    roles = frozenset({BUYER, INTERESTED})

    def execute(self, obj, data, ctx):
        participant = participant_of(obj, ctx.identity.org_id, create=True)
        if participant.number is None:
            taken = db.session.scalar(select(func.max(SaleParticipant.number))
                                      .where(SaleParticipant.sale_id == obj.id)) or 0
            participant.number, participant.registered_at = taken + 1, ctx.now
        # Deposits carry no platform fee: losers get back exactly what they paid.
        payment = payments.start_payment(ctx.identity, participant, amount=to_minor_units(obj.deposit), fee=0,
                                         currency=current_app.config["PAYMENT_CURRENCY"],
                                         mode=participant.payment_mode, uow=ctx.uow)
        return {"participant": participant.number, "payment_id": payment.id, "amount": payment.amount}


class DepositConfirmed(BeforeTheEnd):
    """The payments package reports a bidder's deposit held (only the system runs it, from the payment hook); a
    deposit arriving after the end is refused, so the payments package voids it."""

    name = "deposit_confirmed"
    label = _l("Deposit confirmed")
    roles = frozenset({SYSTEM})
    schema = PaymentEventSchema

    def execute(self, obj, data, ctx):
        payment = db.session.get(Payment, data["payment_id"])
        participant = db.session.get(SaleParticipant, payment.payable_id) if payment else None
        if (participant is None or payment.payable_kind != SaleParticipant.payable_kind
                or participant.sale_id != obj.id):
            raise Conflict(f"payment {data['payment_id']} is no deposit of this auction", current_status=obj.status.value)
        participant.deposit_held = True
        return {"payment_id": payment.id, "participant": participant.number}


class PlaceBid(BeforeTheEnd):
    """A registered bidder bids at least the current price plus the increment. The sale's row lock orders
    concurrent bids; a bid in the last N minutes (config ``AUCTION_EXTENSION_MINUTES``) extends the end by N."""

    name = "place_bid"
    label = _l("Bid")
    roles = frozenset({BIDDER})
    schema = BidSchema

    def execute(self, obj, data, ctx):
        least = minimum_bid(obj)
        if data["amount"] < least:
            raise ValidationFailed({"amount": [f"at least {least:.2f}"]})
        participant = participant_of(obj, ctx.identity.org_id)
        window = timedelta(minutes=current_app.config.get("AUCTION_EXTENSION_MINUTES", 5))
        extended = None
        if aware(obj.ends_at) - ctx.now < window:
            obj.ends_at = extended = aware(obj.ends_at) + window
        bid = SaleBid(sale_id=obj.id, participant_id=participant.id, amount=data["amount"], extended_to=extended,
                      created_at=ctx.now)
        ctx.uow.session.add(bid)
        ctx.uow.session.flush()
        obj.current_price, obj.leading_bid_id = data["amount"], bid.id
        return {"bid_id": bid.id, "bidder": participant.number, "amount": data["amount"], "extended_to": extended}


class CloseAuction(Action):
    """After the end: the highest bid at or above the reserve wins (a deal at that price, the deposit credited
    to it, the others refunded); otherwise the auction fails and every deposit is refunded."""

    name = "close_auction"
    label = _l("Close the auction")
    status_from = (S.bidding,)
    status_to = (S.sold, S.failed)
    roles = frozenset({SYSTEM})

    def blocked(self, obj):
        return None if _passed(obj.ends_at) else "bidding has not ended"

    def execute(self, obj, data, ctx):
        leading = db.session.get(SaleBid, obj.leading_bid_id) if obj.leading_bid_id else None
        if leading is None or (obj.reserve_price is not None and leading.amount < obj.reserve_price):
            return {"refunded": refund_deposits(obj, ctx), "highest": leading.amount if leading else None}
        winner = leading.participant
        refunded = refund_deposits(obj, ctx, keep=winner)
        credited = sale_deals.credit_deposit(winner, ctx)
        deal = sale_deals.open_deal(obj, winner.org_id, leading.amount, credited=credited, uow=ctx.uow)
        return {"winner": winner.number, "amount": leading.amount, "deal_id": deal.id, "refunded": refunded,
                "credited": credited}

    def target(self, obj, data):
        return S.sold if obj.deal_id else S.failed


# ---------------------------------------------------------------- open licence


class TakeLicence(Action):
    """A verified organisation takes a non-exclusive licence on the published terms: a deal of its own that
    waits for payment at once."""

    name = "take_licence"
    label = _l("Take a licence")
    status_from = (S.licensing,)
    status_to = S.licensing
    roles = frozenset({BUYER})
    awaited = False

    def execute(self, obj, data, ctx):
        deal = sale_deals.open_deal(obj, ctx.identity.org_id, obj.price, uow=ctx.uow)
        ctx.uow.session.add(OpenLicenceTaken(sale_id=obj.id, deal_id=deal.id, org_id=ctx.identity.org_id))
        return {"deal_id": deal.id}


class CloseLicensing(Action):
    """The patentee stops offering the open licence (licences taken stay valid)."""

    name = "close_licensing"
    label = _l("Stop offering the licence")
    status_from = (S.licensing,)
    status_to = S.closed
    roles = frozenset({SELLER})


class Withdraw(WithReason):
    """The seller (or a platform admin, e.g. after an objection) withdraws the sale before any bid; deposits
    are refunded."""

    name = "withdraw"
    label = _l("Withdraw")
    status_from = (S.notice, S.bidding)
    status_to = S.withdrawn
    roles = frozenset({SELLER, ADMIN})
    awaited = False

    def blocked(self, obj):
        return "bids have been placed" if obj.leading_bid_id else None

    def execute(self, obj, data, ctx):
        return {"reason": data["reason"], "refunded": refund_deposits(obj, ctx)}


MACHINE = Machine(
    statuses=S,
    initial=S.draft,
    expirable=(),
    actions=[Publish, RegisterInterest, RaiseObjection, CloseNotice, RegisterBidder, DepositConfirmed, PlaceBid,
             CloseAuction, TakeLicence, CloseLicensing, Withdraw],
)
