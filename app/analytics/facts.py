"""The dashboards' summary tables, kept in the same transaction as the writes they summarise.

At scale (100k deals, 1M ledger rows) the market figures cannot be computed from the workflow tables within a
page's budget: a contract's classification needs its first patent, its transaction mode two lookups, its month a
time-zone conversion, and money paid a three-way join over the ledger; a service order's month is another
conversion and its kind a join, and "who was active" a union over five tables. So four tables hold what those
queries derive, and every flush that writes the source rows brings them up to date before the transaction
commits — the figures are never stale and never need a rebuild job:

- :class:`DealFigures`: one row per deal with everything the funnel, the contract volume and the matcher read
  (dates, the stage durations, the China month of approval, mode, transaction mode, first patent's industry
  and IPC section, the agreed upfront fee). Recomputed from the deal's rows whenever a flush touches the deal,
  one of its offers or a sale / open licence naming it, with the same expressions the live queries used.
- :class:`PaidDaily`: money buyers paid net of refunds per China day, seller region and payment mode. The
  ledger is append-only, so each flush adds its new ``buyer_cash`` entries to their day's total (an upsert that
  concurrent transactions can both run: the database serialises the increments on the row).
- :class:`ServiceOrderFigures`: one row per completed service order (China month of completion, the offer's
  kind, the accepted quote, seconds from request to completion), recomputed whenever a flush touches the order.
- :class:`OrgActivity`: one row per organisation and China day on which it opened or received a deal or a
  service order or created a listing. Each flush inserts the days of the rows it creates if absent (two
  transactions may insert the same day: the second one's insert does nothing). Activity is a fact of the day
  it happened: a later deletion of the deal or listing does not undo it.

Regions of contracts and service orders are joined live from ``organisations``; the industry and IPC section of
a deal, the kind of a service order and the region of a payment are those at the time it was written — as a
contract register records them. :func:`rebuild` recomputes all four tables from the source rows (after an
upgrade or a bulk load that bypasses the ORM).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Numeric,
    String,
    case,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
    true,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from app.analytics.sql import china_date, china_month, dialect_of, json_money, seconds_between
from app.core.extensions import db
from app.core.uow import UnitOfWork, unit_of_work
from app.deals.models import Deal, DealOffer, deal_patents
from app.listings.registry import listing_services
from app.orgs.models import Organisation
from app.patents.models import Patent
from app.payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment
from app.sales.models import OpenLicenceTaken, Sale, SaleKind
from app.service_offers.models import ServiceOffer
from app.service_orders.models import ServiceOrder

PAID_KINDS = ("payment", "refund")


class DealFigures(db.Model):
    """What the market dashboard reads of one deal (see the module's docstring)."""

    __tablename__ = "deal_figures"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    nda_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    offer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the first offer
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Seconds each stage took from the previous step the deal reached (NDAs are optional).
    nda_s: Mapped[float | None] = mapped_column(Float)
    offer_s: Mapped[float | None] = mapped_column(Float)
    contract_s: Mapped[float | None] = mapped_column(Float)
    completed_s: Mapped[float | None] = mapped_column(Float)
    approved_month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM, China time
    mode: Mapped[str | None] = mapped_column(String(32))
    tx_mode: Mapped[str] = mapped_column(String(16), nullable=False)
    industry: Mapped[str | None] = mapped_column(String(64))
    ipc_section: Mapped[str | None] = mapped_column(String(1))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # the agreed upfront fee, yuan
    from_match: Mapped[bool] = mapped_column(Boolean, nullable=False)


class PaidDaily(db.Model):
    """Money buyers paid net of refunds (fen) per China day, seller region ('' when unknown) and payment mode."""

    __tablename__ = "paid_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    mode: Mapped[str] = mapped_column(String(32), primary_key=True)
    paid: Mapped[int] = mapped_column(BigInteger, nullable=False)


class ServiceOrderFigures(db.Model):
    """What the market dashboard reads of one completed service order (see the module's docstring)."""

    __tablename__ = "service_order_figures"

    order_id: Mapped[int] = mapped_column(ForeignKey("service_orders.id", ondelete="CASCADE"), primary_key=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # the offer's: pilot or inspection
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    completed_month: Mapped[str] = mapped_column(String(7), nullable=False)  # YYYY-MM, China time
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # the accepted quote, yuan
    turnaround_s: Mapped[float] = mapped_column(Float, nullable=False)  # from the request to completion


class OrgActivity(db.Model):
    """An organisation was active on a China day (see the module's docstring)."""

    __tablename__ = "org_activity"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


def transaction_mode(deal=Deal):
    """The transaction mode of deals, as a SQL expression over the deals table — the one place it is defined: an
    open licence taken (开放许可), a deal a 挂牌 listing or an auction concluded (挂牌 / 拍卖), else negotiated
    between the parties (协议定价)."""
    sale_kind = select(Sale.kind).where(Sale.deal_id == deal.id).limit(1).scalar_subquery()
    licence = select(OpenLicenceTaken.id).where(OpenLicenceTaken.deal_id == deal.id).exists()
    return case((licence, literal("open_licence")), (sale_kind == SaleKind.auction, literal("auction")),
                (sale_kind == SaleKind.listing, literal("listed")), else_=literal("negotiated"))


def _deal_rows(deal_ids=None):
    """SELECT of the figures rows of ``deal_ids`` (all deals when None), in :class:`DealFigures`' columns."""
    first_id = (select(func.min(deal_patents.c.patent_id)).where(deal_patents.c.deal_id == Deal.id)
                .correlate(Deal).scalar_subquery())
    first_offer = (select(func.min(DealOffer.created_at)).where(DealOffer.deal_id == Deal.id)
                   .correlate(Deal).scalar_subquery())
    patent = aliased(Patent)
    offer = first_offer
    query = (select(
        Deal.id, Deal.seller_org_id, Deal.created_at, Deal.nda_signed_at, offer, Deal.approved_at, Deal.completed_at,
        seconds_between(Deal.created_at, Deal.nda_signed_at),
        seconds_between(func.coalesce(Deal.nda_signed_at, Deal.created_at), offer),
        seconds_between(func.coalesce(offer, Deal.nda_signed_at, Deal.created_at), Deal.approved_at),
        seconds_between(Deal.approved_at, Deal.completed_at),
        china_month(Deal.approved_at), Deal.terms["mode"].as_string(), transaction_mode(), patent.industry,
        func.substr(patent.ipc_codes[0].as_string(), 1, 1), json_money(Deal.terms, "upfront_fee"),
        Deal.match_id.isnot(None))
        .select_from(Deal).outerjoin(patent, patent.id == first_id))
    return query if deal_ids is None else query.where(Deal.id.in_(deal_ids))


DEAL_COLUMNS = ("deal_id", "seller_org_id", "created_at", "nda_at", "offer_at", "approved_at", "completed_at",
                "nda_s", "offer_s", "contract_s", "completed_s", "approved_month", "mode", "tx_mode", "industry",
                "ipc_section", "amount", "from_match")


def refresh_deals(connection, deal_ids) -> None:
    """Recompute the figures rows of ``deal_ids`` from the deals' own rows (deleted deals lose theirs)."""
    deal_ids = sorted(deal_ids)
    connection.execute(delete(DealFigures).where(DealFigures.deal_id.in_(deal_ids)))
    connection.execute(DealFigures.__table__.insert().from_select(DEAL_COLUMNS, _deal_rows(deal_ids)))


def _order_rows(order_ids=None):
    """SELECT of the figures rows of completed service orders ``order_ids`` (all when None)."""
    o = ServiceOrder
    query = (select(o.id, o.seller_org_id, ServiceOffer.kind, o.completed_at, china_month(o.completed_at),
                    o.quote_amount, seconds_between(o.created_at, o.completed_at))
             .join(ServiceOffer, ServiceOffer.id == o.offer_id).where(o.completed_at.isnot(None)))
    return query if order_ids is None else query.where(o.id.in_(order_ids))


ORDER_COLUMNS = ("order_id", "seller_org_id", "kind", "completed_at", "completed_month", "revenue", "turnaround_s")


def refresh_orders(connection, order_ids) -> None:
    """Recompute the figures rows of service orders ``order_ids`` (orders not completed, or deleted, have none)."""
    order_ids = sorted(order_ids)
    connection.execute(delete(ServiceOrderFigures).where(ServiceOrderFigures.order_id.in_(order_ids)))
    connection.execute(ServiceOrderFigures.__table__.insert().from_select(ORDER_COLUMNS, _order_rows(order_ids)))


def _activity_sources() -> list[tuple]:
    """(model, organisation column) of every row whose creation makes an organisation active that day."""
    sources = [(Deal, Deal.buyer_org_id), (Deal, Deal.seller_org_id),
               (ServiceOrder, ServiceOrder.buyer_org_id), (ServiceOrder, ServiceOrder.seller_org_id)]
    return sources + [(s.model, s.model.org_id) for s in listing_services().values()]


def _activity_rows(ids_by_model=None):
    """SELECT of the distinct (organisation, China day) pairs of the rows ``ids_by_model`` names (model → ids;
    every row when None)."""
    selects = []
    for model, org in _activity_sources():
        if ids_by_model is not None and not ids_by_model.get(model):
            continue
        query = select(org.label("org_id"), china_date(model.created_at).label("day")).where(org.isnot(None))
        if ids_by_model is not None:
            query = query.where(model.id.in_(sorted(ids_by_model[model])))
        selects.append(query)
    pairs = union(*selects).subquery()
    # The WHERE keeps SQLite from reading the upsert's ON CONFLICT as a join constraint of the FROM.
    return select(pairs.c.org_id, pairs.c.day).where(true())


def add_activity(connection, ids_by_model) -> None:
    """Record the activity days of newly written rows (model → ids), those already recorded left as they are."""
    insert = postgresql.insert if dialect_of(connection) == "postgresql" else sqlite.insert
    stmt = insert(OrgActivity).from_select(("org_id", "day"), _activity_rows(ids_by_model))
    connection.execute(stmt.on_conflict_do_nothing(index_elements=["org_id", "day"]))


def _created_or_moved(session: Session, obj, org_attrs) -> bool:
    """Whether ``obj`` is new in this flush or its creation moment or organisation changed."""
    if obj in session.new:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in ("created_at", *org_attrs))


def _paid_rows(entry_ids=None):
    """SELECT of the buyer-cash totals per China day, seller region and mode of ``entry_ids`` (all when None)."""
    seller = aliased(Organisation)
    day, region, mode = (china_date(LedgerTransaction.created_at), func.coalesce(seller.region, ""),
                         func.coalesce(Payment.mode, ""))
    query = (select(day, region, mode, func.sum(-LedgerEntry.amount))
             .select_from(LedgerEntry)
             .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
             .join(Payment, Payment.id == LedgerTransaction.payment_id)
             .outerjoin(seller, seller.id == Payment.seller_org_id)
             .where(LedgerEntry.account == LedgerAccount.buyer_cash, LedgerTransaction.kind.in_(PAID_KINDS))
             .group_by(day, region, mode))
    return query if entry_ids is None else query.where(LedgerEntry.id.in_(entry_ids))


def add_paid(connection, entry_ids) -> None:
    """Add new ledger entries' buyer cash to their days' totals (an upsert: the row may exist or not)."""
    insert = postgresql.insert if dialect_of(connection) == "postgresql" else sqlite.insert
    stmt = insert(PaidDaily).from_select(("day", "region", "mode", "paid"), _paid_rows(sorted(entry_ids)))
    connection.execute(stmt.on_conflict_do_update(index_elements=["day", "region", "mode"],
                                                  set_={"paid": PaidDaily.paid + stmt.excluded.paid}))


def _after_flush(session: Session, _context) -> None:
    """Bring the summary tables up to date with what this flush wrote (same connection, same transaction)."""
    deal_ids, order_ids, entry_ids, active = set(), set(), [], {}
    org_attrs: dict[type, tuple[str, ...]] = {}
    for model, column in _activity_sources():
        org_attrs[model] = (*org_attrs.get(model, ()), column.key)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Deal):
            deal_ids.add(obj.id)
        elif isinstance(obj, ServiceOrder):
            order_ids.add(obj.id)
        elif isinstance(obj, DealOffer | Sale | OpenLicenceTaken) and obj.deal_id is not None:
            deal_ids.add(obj.deal_id)
        elif isinstance(obj, LedgerEntry) and obj in session.new and obj.account == LedgerAccount.buyer_cash:
            entry_ids.append(obj.id)
        model = type(obj)
        if model in org_attrs and obj not in session.deleted and _created_or_moved(session, obj, org_attrs[model]):
            active.setdefault(model, set()).add(obj.id)
    deal_ids.discard(None)
    order_ids.discard(None)
    if deal_ids:
        refresh_deals(session.connection(), deal_ids)
    if order_ids:
        refresh_orders(session.connection(), order_ids)
    if entry_ids:
        add_paid(session.connection(), entry_ids)
    if active:
        add_activity(session.connection(), active)


def listen() -> None:
    """Keep the summary tables with every ORM session's flushes (once, however many apps are created)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def rebuild(session=None) -> dict:
    """Recompute the summary tables from the source rows (after an upgrade or a bulk load that bypassed the ORM);
    returns each table's row count."""
    session = session or db.session
    connection = session.connection()
    fills = {DealFigures: (DEAL_COLUMNS, _deal_rows()), PaidDaily: (("day", "region", "mode", "paid"), _paid_rows()),
             ServiceOrderFigures: (ORDER_COLUMNS, _order_rows()), OrgActivity: (("org_id", "day"), _activity_rows())}
    for model, (columns, rows) in fills.items():
        connection.execute(delete(model))
        connection.execute(model.__table__.insert().from_select(columns, rows))
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in fills}


@unit_of_work
def rebuild_committed(*, uow: UnitOfWork) -> dict:
    """:func:`rebuild` in a unit of work of its own (``flask analytics rebuild-figures``)."""
    return rebuild(uow.session)
