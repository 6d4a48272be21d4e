"""The dashboards' summary tables, kept in the same transaction as the writes they summarise.

At scale (100k deals, 1M ledger rows) the market figures cannot be computed from the workflow tables within a
page's budget: a contract's classification needs its first patent, its transaction mode two lookups, its month a
time-zone conversion, and money paid a three-way join over the ledger. So two tables hold what those queries
derive, and every flush that writes the source rows brings them up to date before the transaction commits —
the figures are never stale and never need a rebuild job:

- :class:`DealFigures`: one row per deal with everything the funnel, the contract volume and the matcher read
  (dates, the stage durations, the China month of approval, mode, transaction mode, first patent's industry
  and IPC section, the agreed upfront fee). Recomputed from the deal's rows whenever a flush touches the deal,
  one of its offers or a sale / open licence naming it, with the same expressions the live queries used.
- :class:`PaidDaily`: money buyers paid net of refunds per China day, seller region and payment mode. The
  ledger is append-only, so each flush adds its new ``buyer_cash`` entries to their day's total (an upsert that
  concurrent transactions can both run: the database serialises the increments on the row).

Regions of contracts are joined live from ``organisations``; the industry and IPC section of a deal, and the
region of a payment, are those at the time it was written — as a contract register records them.
:func:`rebuild` recomputes both tables from the source rows (after bulk loads that bypass the ORM).
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
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from app.analytics.sql import china_date, china_month, dialect_of, json_money, seconds_between
from app.core.extensions import db
from app.core.uow import UnitOfWork, unit_of_work
from app.deals.models import Deal, DealOffer, deal_patents
from app.orgs.models import Organisation
from app.patents.models import Patent
from app.payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment
from app.sales.models import OpenLicenceTaken, Sale, SaleKind

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
    deal_ids, entry_ids = set(), []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Deal):
            deal_ids.add(obj.id)
        elif isinstance(obj, DealOffer | Sale | OpenLicenceTaken) and obj.deal_id is not None:
            deal_ids.add(obj.deal_id)
        elif isinstance(obj, LedgerEntry) and obj in session.new and obj.account == LedgerAccount.buyer_cash:
            entry_ids.append(obj.id)
    deal_ids.discard(None)
    if deal_ids:
        refresh_deals(session.connection(), deal_ids)
    if entry_ids:
        add_paid(session.connection(), entry_ids)


def listen() -> None:
    """Keep the summary tables with every ORM session's flushes (once, however many apps are created)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def rebuild(session=None) -> dict:
    """Recompute both summary tables from the source rows (after a bulk load that bypassed the ORM)."""
    session = session or db.session
    connection = session.connection()
    connection.execute(delete(DealFigures))
    connection.execute(DealFigures.__table__.insert().from_select(DEAL_COLUMNS, _deal_rows()))
    connection.execute(delete(PaidDaily))
    connection.execute(PaidDaily.__table__.insert().from_select(("day", "region", "mode", "paid"), _paid_rows()))
    return {"deal_figures": session.scalar(select(func.count()).select_from(DealFigures)),
            "paid_daily": session.scalar(select(func.count()).select_from(PaidDaily))}


@unit_of_work
def rebuild_committed(*, uow: UnitOfWork) -> dict:
    """:func:`rebuild` in a unit of work of its own (``flask analytics rebuild-figures``)."""
    return rebuild(uow.session)
