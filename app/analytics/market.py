"""The market's figures for platform admins: the deal funnel, transaction volume, commissioned R&D and service
orders, patent conversion by kind of owner, the matcher's conversion and organisations.

Read-only. Definitions (the pages and the review report say the same):

- A deal belongs to the period in which it was opened (funnel, matcher); a *contract* is a deal whose contract a
  platform admin approved, counted in the month of approval, for the agreed fixed amount (``upfront_fee`` of the
  terms; royalties follow later and are not part of it); a *service order* (技术服务) counts when completed, for
  its accepted quote.
- *Money paid* is what buyers actually paid, net of refunds, from the ledger (``buyer_cash`` legs of payment and
  refund transactions), in the month it was paid.
- Region is the seller's (the technology's owner or the service provider), as technology-market statistics count.
- Industry and IPC section are the first patent's of a deal.

Deals' and service orders' figures, money paid and organisations' active days are read from the summary tables
of :mod:`app.analytics.facts`, kept in the same transaction as every write, so the dashboard stays within its
budget with 100k deals and 1M ledger rows.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import case, func, literal_column, select, true
from sqlalchemy.orm import aliased

from app.analytics.facts import DealFigures, OrgActivity, PaidDaily, ServiceOrderFigures
from app.analytics.filters import Filters
from app.analytics.models import OrgIncubation
from app.analytics.policy import require
from app.analytics.sql import Median, calendar_month
from app.core.extensions import db
from app.core.identity import Identity
from app.deals.models import Deal, deal_patents
from app.listings.models import CoopMode
from app.matching.models import Match
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent

FUNNEL_STEPS = ("views", "inquiries", "nda", "offers", "contracts", "completed")
CONTRACT_TYPES = ("development", "transfer", "licence", "service")  # 技术开发 / 转让 / 许可 / 服务
# The research's conversion rates of invention patents, by kind of owner (shown beside ours).
RESEARCH_CONVERSION = {OrgKind.university.value: 13.5, OrgKind.institute.value: 28.2, OrgKind.enterprise.value: 67.5}
_MODE_TO_TYPE = {CoopMode.development.value: "development", CoopMode.assignment.value: "transfer",
                 CoopMode.equity.value: "transfer", CoopMode.exclusive_licence.value: "licence",
                 CoopMode.sole_licence.value: "licence", CoopMode.non_exclusive_licence.value: "licence",
                 "service_order": "service"}
SERVICE_KINDS = ("pilot", "inspection")  # 中试 / 检验检测
DAY = 86400.0


def contract_type(mode: str | None) -> str:
    """The technology-contract category (技术开发 / 转让 / 许可 / 服务) of an agreed cooperation mode or of a
    payment's mode (``service_order`` is 技术服务); 作价入股 counts as a transfer, as contract registration does."""
    return _MODE_TO_TYPE.get(mode or "", "transfer")


def _seller_region(query, org_column, filters: Filters):
    """Narrow ``query`` to sellers in the filter's region (no-op without one)."""
    if not filters.region:
        return query
    seller = aliased(Organisation)
    return query.join(seller, seller.id == org_column).where(seller.region == filters.region)


def grouped(**exprs):
    """Select ``exprs`` labelled ``g_<name>`` and group by those output names.

    Grouping by the output name (not the expression) keeps PostgreSQL from seeing two differently bound copies
    of an expression with parameters (e.g. ``to_char(…, 'YYYY-MM')``) or a bare constant; the prefix keeps the
    names clear of input columns.
    """
    return ([expr.label(f"g_{name}") for name, expr in exprs.items()],
            [literal_column(f"g_{name}") for name in exprs])


def ungrouped(row) -> dict:
    """A result row's ``g_<name>`` keys as ``<name>`` (enums as their values)."""
    return {key[2:]: _value(value) for key, value in row._mapping.items() if key.startswith("g_")}


def to_yuan(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _days(seconds) -> float | None:
    return None if seconds is None else round(seconds / DAY, 1)


def funnel(filters: Filters) -> list[dict]:
    """Views → inquiries → NDA → offers → contracts → completed for deals opened in the period.

    Each step: ``count`` — deals that reached the step or a later one, so the funnel never widens (an NDA is
    optional: a deal that went on to offers without one has passed that step) —, ``conversion`` (percent of the
    previous step) and ``median_days``: the median time a deal took from the previous step it reached (an offer
    counts from the NDA or else from the inquiry). Views are the patents' view counters (a running total).
    """
    f = DealFigures
    cohort = _seller_region(select(f).where(f.created_at >= filters.since, f.created_at < filters.until),
                            f.seller_org_id, filters).subquery()
    c = cohort.c
    stages = {"nda": c.nda_s, "offers": c.offer_s, "contracts": c.contract_s, "completed": c.completed_s}
    medians = {key: Median(expr) for key, expr in stages.items()}
    row = db.session.execute(select(
        func.count(), func.count(func.coalesce(c.nda_at, c.offer_at, c.approved_at, c.completed_at)),
        func.count(func.coalesce(c.offer_at, c.approved_at, c.completed_at)),
        func.count(func.coalesce(c.approved_at, c.completed_at)), func.count(c.completed_at),
        *[m.column for m in medians.values()],
    )).one()
    views_query = _seller_region(select(func.coalesce(func.sum(Patent.view_count), 0)), Patent.org_id, filters)
    counts = [int(db.session.scalar(views_query)), *row[:5]]
    median_days = dict(zip(medians, [_days(Median.value(v)) for v in row[5:]], strict=False))
    steps = []
    for i, key in enumerate(FUNNEL_STEPS):
        previous = counts[i - 1] if i else None
        steps.append({"key": key, "count": counts[i],
                      "conversion": round(100.0 * counts[i] / previous, 1) if previous else None,
                      "median_days": median_days.get(key)})
    return steps


def contracts(filters: Filters) -> list[dict]:
    """Approved contracts of the period grouped by month, region, industry, IPC section, cooperation mode and
    transaction mode: ``count`` and ``amount`` (yuan). Read from the deals' summary rows (:mod:`facts`)."""
    f = DealFigures
    # Grouped per seller first (a few thousand groups from tens of thousands of contracts), then per region:
    # joining organisations to every contract would carry each row through the join.
    per_seller = (select(f.seller_org_id, f.approved_month, f.industry, f.ipc_section, f.mode, f.tx_mode,
                         func.count().label("n"), func.sum(f.amount).label("amount"))
                  .where(f.approved_at >= filters.since, f.approved_at < filters.until)
                  .group_by(f.seller_org_id, f.approved_month, f.industry, f.ipc_section, f.mode, f.tx_mode))
    c = _seller_region(per_seller, f.seller_org_id, filters).subquery()
    seller = aliased(Organisation)
    keys, group = grouped(month=c.c.approved_month, region=seller.region, industry=c.c.industry,
                          ipc_section=c.c.ipc_section, mode=c.c.mode, tx_mode=c.c.tx_mode)
    query = (select(*keys, func.sum(c.c.n).label("n"), func.sum(c.c.amount).label("amount"))
             .join(seller, seller.id == c.c.seller_org_id).group_by(*group))
    return [{**ungrouped(r), "contract_type": contract_type(r.g_mode), "count": int(r.n),
             "amount": to_yuan(r.amount)} for r in db.session.execute(query)]


def _completed_orders(query, filters: Filters):
    """Narrow ``query`` over the service orders' summary rows to those completed in the period by sellers of
    the region."""
    o = ServiceOrderFigures
    query = query.where(o.completed_at >= filters.since, o.completed_at < filters.until)
    return _seller_region(query, o.seller_org_id, filters)


def service_orders(filters: Filters) -> list[dict]:
    """Service orders (中试 / 检验检测) completed in the period, by month, region and kind: ``count`` and
    ``revenue`` (accepted quotes, yuan). Read from the orders' summary rows (:mod:`facts`), grouped per seller
    before the sellers' regions are joined."""
    o = ServiceOrderFigures
    per_seller = _completed_orders(
        select(o.seller_org_id, o.completed_month, o.kind, func.count().label("n"),
               func.sum(o.revenue).label("revenue")).group_by(o.seller_org_id, o.completed_month, o.kind),
        filters).subquery()
    c = per_seller.c
    seller = aliased(Organisation)
    keys, group = grouped(month=c.completed_month, region=seller.region, kind=c.kind)
    query = (select(*keys, func.sum(c.n).label("n"), func.sum(c.revenue).label("revenue"))
             .join(seller, seller.id == c.seller_org_id).group_by(*group))
    return [{**ungrouped(r), "count": int(r.n), "revenue": to_yuan(r.revenue)} for r in db.session.execute(query)]


def service_kinds(filters: Filters, order_rows: list[dict]) -> dict:
    """Per kind (pilot, inspection): ``count``, ``revenue`` and the median ``turnaround_days`` from request to
    completion (medians do not add up, so they are computed per kind over all its orders)."""
    o = ServiceOrderFigures
    # One median per kind over one scan (a median ignores the other kind's NULLs): grouping by kind would sort
    # all the period's orders by kind first, on disk at the bench's scale, before each median sorts its own.
    medians = [Median(case((o.kind == kind, o.turnaround_s))) for kind in SERVICE_KINDS]
    raw = db.session.execute(_completed_orders(select(*[m.column for m in medians]), filters)).one()
    totals = _totals(order_rows, "kind", ("count", "revenue"))
    return {kind: {"count": totals.get(kind, {}).get("count", 0),
                   "revenue": to_yuan(totals.get(kind, {}).get("revenue", 0)),
                   "turnaround_days": _days(Median.value(value))} for kind, value in zip(SERVICE_KINDS, raw, strict=True)}


def _value(enum_or_str):
    """An enum's value (SQLite and PostgreSQL both answer the enum; plain strings pass through)."""
    return getattr(enum_or_str, "value", enum_or_str)


def money_paid(filters: Filters) -> list[dict]:
    """Money buyers paid in the period net of refunds (ledger, summed per day in :mod:`facts`), by month, seller
    region and payment mode."""
    p = PaidDaily
    keys, group = grouped(month=calendar_month(p.day), region=func.nullif(p.region, ""), mode=p.mode)
    query = (select(*keys, func.sum(p.paid).label("paid"))
             .where(p.day >= filters.start, p.day <= filters.end).group_by(*group))
    if filters.region:
        query = query.where(p.region == filters.region)
    return [{**ungrouped(r), "contract_type": contract_type(r.g_mode), "paid": to_yuan(Decimal(r.paid or 0) / 100)}
            for r in db.session.execute(query)]


def _totals(rows: list[dict], key: str, fields: tuple[str, ...]) -> dict:
    """Sum ``fields`` of ``rows`` per value of ``key`` (None keys included)."""
    totals: dict = defaultdict(lambda: dict.fromkeys(fields, 0))
    for row in rows:
        for field in fields:
            totals[row[key]][field] += row.get(field) or 0
    return dict(totals)


def volume(filters: Filters, deal_rows: list[dict], order_rows: list[dict], paid_rows: list[dict]) -> dict:
    """Transaction volume per month, region, contract type, transaction mode, industry and IPC section.

    Each dimension maps a value to ``count``, ``amount`` (contracts and completed service orders, yuan) and, where
    the ledger knows the dimension (month, region, contract type), ``paid``.
    """
    services = [{**r, "contract_type": "service", "tx_mode": "negotiated", "amount": r["revenue"]}
                for r in order_rows]
    both = deal_rows + services
    fields = ("count", "amount")
    figures = {dim: _totals(both, dim, fields) for dim in ("month", "region", "contract_type", "tx_mode")}
    figures["industry"] = _totals(deal_rows, "industry", fields)
    figures["ipc_section"] = _totals(deal_rows, "ipc_section", fields)
    for dim in ("month", "region", "contract_type"):
        for key, value in _totals(paid_rows, dim, ("paid",)).items():
            figures[dim].setdefault(key, dict.fromkeys(fields, 0))["paid"] = value["paid"]
        for value in figures[dim].values():
            value.setdefault("paid", Decimal("0.00"))
    for key in CONTRACT_TYPES:
        figures["contract_type"].setdefault(key, {"count": 0, "amount": Decimal("0.00"), "paid": Decimal("0.00")})
    order = {key: i for i, key in enumerate(CONTRACT_TYPES)}
    return {dim: dict(sorted(values.items(), key=lambda kv: (kv[0] is None, order.get(kv[0], 0), str(kv[0]))))
            for dim, values in figures.items()}


def conversion_by_owner(filters: Filters) -> list[dict]:
    """Share of listed patents (published on or before the end date) with at least one deal completed by then,
    per kind of owner, beside the research's rates."""
    # The patents with a completed deal, as one set the planner can hash (not a lookup per patent).
    converted = (select(deal_patents.c.patent_id).join(Deal, Deal.id == deal_patents.c.deal_id)
                 .where(Deal.completed_at < filters.until))
    query = (select(Organisation.kind, func.count(), func.count(case((Patent.id.in_(converted), 1))))
             .select_from(Patent).join(Organisation, Organisation.id == Patent.org_id)
             .where(Patent.published_at.isnot(None), Patent.published_at < filters.until)
             .group_by(Organisation.kind))
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    counts = {_value(kind): (listed, converted)
              for kind, listed, converted in db.session.execute(query)}
    rows = []
    for kind, research in RESEARCH_CONVERSION.items():
        listed, converted = counts.get(kind, (0, 0))
        rows.append({"kind": kind, "listed": listed, "converted": converted,
                     "rate": round(100.0 * converted / listed, 1) if listed else None, "research": research})
    return rows


def matcher(filters: Filters) -> dict:
    """Matches computed in the period → deals opened from a match → of those, completed."""
    matches = db.session.scalar(select(func.count()).select_from(Match).where(
        Match.computed_at >= filters.since, Match.computed_at < filters.until))
    f = DealFigures
    query = (select(func.count(), func.count(f.completed_at))
             .where(f.from_match, f.created_at >= filters.since, f.created_at < filters.until))
    inquiries, completed = db.session.execute(_seller_region(query, f.seller_org_id, filters)).one()

    def pct(part, whole):
        return round(100.0 * part / whole, 1) if whole else None

    return {"matches": matches, "inquiries": inquiries, "completed": completed,
            "inquiry_rate": pct(inquiries, matches), "deal_rate": pct(completed, inquiries)}


def organisations(filters: Filters) -> dict:
    """Organisations active in the period (opened or received a deal or a service order, or created a listing:
    their days in :mod:`facts`), verified and incubated (as of the end date; ``incubated_new``: since the start)."""
    region = Organisation.region == filters.region if filters.region else true()
    # One probe of the (organisation, day) key per organisation, rather than every activity row of the period.
    active_in_period = select(OrgActivity.org_id).where(
        OrgActivity.org_id == Organisation.id, OrgActivity.day >= filters.start, OrgActivity.day <= filters.end)
    active = db.session.scalar(select(func.count()).select_from(Organisation)
                               .where(active_in_period.exists(), region))
    verified = db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.verification_status == VerificationStatus.verified, region))
    incubated = (select(func.count(), func.count(case((OrgIncubation.incubated_on >= filters.start, 1))))
                 .join(Organisation, Organisation.id == OrgIncubation.org_id)
                 .where(OrgIncubation.incubated_on <= filters.end, region))
    total, new = db.session.execute(incubated).one()
    return {"active": active, "verified": verified, "incubated": total, "incubated_new": new}


def regions() -> list[str]:
    """Every region an organisation names (the region filter's choices)."""
    return list(db.session.scalars(select(Organisation.region).where(Organisation.region.isnot(None))
                                   .distinct().order_by(Organisation.region)))


def market_figures(identity: Identity, filters: Filters) -> dict:
    """Every figure of the admin dashboard for ``filters`` (platform admins: AnalyticsPolicy ``read_market``)."""
    require("read_market", identity)
    deal_rows, order_rows, paid_rows = contracts(filters), service_orders(filters), money_paid(filters)
    return {
        "filters": filters,
        "funnel": funnel(filters),
        "volume": volume(filters, deal_rows, order_rows, paid_rows),
        "development": _totals(deal_rows, "contract_type", ("count", "amount")).get(
            "development", {"count": 0, "amount": Decimal("0.00")}),
        "service_orders": service_kinds(filters, order_rows),
        "conversion": conversion_by_owner(filters),
        "matcher": matcher(filters),
        "organisations": organisations(filters),
    }

