"""The annual and three-year review (年度评估 / 三年一次定期考核): the guideline's three KPIs — commissioned R&D
contracts (count, amount), technology-market transaction volume, incubated firms — with the deals and
organisations behind each number, as a PDF (Chinese embedded, as the deal contract does), an XLSX workbook (money
as numbers formatted in 元, dates in the display time zone) and a CSV (UTF-8 with BOM).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.analytics.charts import CONTRACT_TYPE_LABELS
from app.analytics.filters import Filters
from app.analytics.market import contract_type, money_paid, to_yuan
from app.analytics.models import OrgIncubation
from app.analytics.policy import require
from app.analytics.sql import json_money
from app.core.extensions import db
from app.core.formatting import format_date, format_datetime, format_money, local_date
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.spreadsheet import Column, Sheet, xlsx_bytes, zone_note
from app.deals.contract import cjk_font
from app.deals.models import Deal
from app.orgs.models import Organisation
from app.service_orders.models import ServiceOrder


def period(kind: str, year: int) -> Filters:
    """The calendar year ``year`` (``annual``) or the three years ending with it (``three_year``)."""
    first = year if kind == "annual" else year - 2
    return Filters(start=date(first, 1, 1), end=date(year, 12, 31))


def _contracts(filters: Filters) -> list[dict]:
    seller, buyer = aliased(Organisation), aliased(Organisation)
    query = (select(Deal.id, Deal.title, seller.name, buyer.name, Deal.approved_at, Deal.terms["mode"].as_string(),
                    json_money(Deal.terms, "upfront_fee"))
             .join(seller, seller.id == Deal.seller_org_id).join(buyer, buyer.id == Deal.buyer_org_id)
             .where(Deal.approved_at >= filters.since, Deal.approved_at < filters.until).order_by(Deal.approved_at))
    if filters.region:
        query = query.where(seller.region == filters.region)
    return [{"ref": f"D{i}", "title": t, "seller": s, "buyer": b, "date": local_date(at),
             "contract_type": contract_type(mode), "amount": to_yuan(amount)}
            for i, t, s, b, at, mode, amount in db.session.execute(query)]


def _service_orders(filters: Filters) -> list[dict]:
    seller, buyer = aliased(Organisation), aliased(Organisation)
    query = (select(ServiceOrder.id, ServiceOrder.title, seller.name, buyer.name, ServiceOrder.completed_at,
                    ServiceOrder.quote_amount)
             .join(seller, seller.id == ServiceOrder.seller_org_id).join(buyer, buyer.id == ServiceOrder.buyer_org_id)
             .where(ServiceOrder.completed_at >= filters.since, ServiceOrder.completed_at < filters.until)
             .order_by(ServiceOrder.completed_at))
    if filters.region:
        query = query.where(seller.region == filters.region)
    return [{"ref": f"S{i}", "title": t, "seller": s, "buyer": b, "date": local_date(at),
             "contract_type": "service", "amount": to_yuan(amount)}
            for i, t, s, b, at, amount in db.session.execute(query)]


def _incubated(filters: Filters) -> list[dict]:
    query = (select(Organisation.name, Organisation.region, OrgIncubation.incubated_on)
             .join(Organisation, Organisation.id == OrgIncubation.org_id)
             .where(OrgIncubation.incubated_on <= filters.end).order_by(OrgIncubation.incubated_on))
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    return [{"name": n, "region": r, "since": d, "new": d >= filters.start} for n, r, d in db.session.execute(query)]


def review_report(identity: Identity, filters: Filters) -> dict:
    """The period's KPIs and the rows behind them (AnalyticsPolicy ``export_review``)."""
    require("export_review", identity)
    volume = _contracts(filters) + _service_orders(filters)
    development = [row for row in volume if row["contract_type"] == "development"]
    incubated = _incubated(filters)
    paid = sum((row["paid"] for row in money_paid(filters)), Decimal("0.00"))
    return {
        "filters": filters,
        "generated_at": utcnow(),
        "kpis": {"development_count": len(development),
                 "development_amount": sum((r["amount"] for r in development), Decimal("0.00")),
                 "volume_count": len(volume), "volume_amount": sum((r["amount"] for r in volume), Decimal("0.00")),
                 "paid": paid, "incubated": len(incubated), "incubated_new": sum(r["new"] for r in incubated)},
        "development": development,
        "volume": volume,
        "incubated": incubated,
    }


def kpi_values(report: dict) -> list[tuple[str, int | Decimal]]:
    """(label, value) per KPI in the guideline's order: counts as ints, money as Decimal yuan."""
    k = report["kpis"]
    return [
        (_("Commissioned R&D contracts (委托研发合同数)"), k["development_count"]),
        (_("Commissioned R&D contract amount (委托研发合同金额)"), k["development_amount"]),
        (_("Technology-market transaction volume (技术市场交易额)"), k["volume_amount"]),
        (_("Contracts and service orders behind it"), k["volume_count"]),
        (_("Of which paid through the platform"), k["paid"]),
        (_("Incubated firms (孵化企业数量, as of the end date)"), k["incubated"]),
        (_("Of which incubated in the period"), k["incubated_new"]),
    ]


def kpi_rows(report: dict) -> list[tuple[str, str, str]]:
    """(label, shown value, raw value) per KPI, in the guideline's order."""
    return [(text, format_money(value), f"{value:.2f}") if isinstance(value, Decimal) else (text, str(value), str(value))
            for text, value in kpi_values(report)]


def _deal_header() -> list[str]:
    return [_("Reference"), _("Title"), _("Seller"), _("Buyer"), _("Date"), _("Contract type"), _("Amount")]


def _deal_cells(row: dict, money) -> list[str]:
    return [row["ref"], row["title"], row["seller"], row["buyer"], row["date"].isoformat(),
            str(CONTRACT_TYPE_LABELS[row["contract_type"]]), money(row["amount"])]


def review_csv(report: dict) -> str:
    """The report as one CSV: the KPIs, then each section's rows under a heading row."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    f = report["filters"]
    writer.writerow([_("TechBridge review report"), f.start.isoformat(), f.end.isoformat(), f.region or ""])
    for text, _shown, raw in kpi_rows(report):
        writer.writerow([text, raw])
    for title, rows in ((_("Commissioned R&D contracts"), report["development"]),
                        (_("Contracts and service orders (transaction volume)"), report["volume"])):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(_deal_header())
        writer.writerows(_deal_cells(row, lambda v: f"{v:.2f}") for row in rows)
    writer.writerow([])
    writer.writerow([_("Incubated firms")])
    writer.writerow([_("Organisation"), _("Region"), _("Incubated since")])
    writer.writerows([r["name"], r["region"] or "", r["since"].isoformat()] for r in report["incubated"])
    return out.getvalue()


def review_xlsx(report: dict) -> bytes:
    """The report as a workbook: the key figures, the R&D contracts, the transaction volume and the incubated
    firms, each a sheet; money as numbers formatted in yuan, dates in the display time zone."""
    f = report["filters"]
    notes = [_("TechBridge review report"),
             _("Period: %(start)s – %(end)s", start=format_date(f.start), end=format_date(f.end))
             + (f" · {f.region}" if f.region else ""),
             _("Generated %(when)s", when=format_datetime(report["generated_at"])), zone_note()]
    deal_columns = [Column(h, kind, width) for h, kind, width in zip(
        _deal_header(), ("text", "text", "text", "text", "date", "text", "money"), (10, 36, 24, 24, 12, 26, 16),
        strict=True)]

    def deal_rows(rows):
        return [[r["ref"], r["title"], r["seller"], r["buyer"], r["date"], str(CONTRACT_TYPE_LABELS[r["contract_type"]]),
                 r["amount"]] for r in rows]

    return xlsx_bytes([
        Sheet(_("Key figures"), [Column(_("Figure"), width=56), Column(_("Value"), "auto", 20)],
              [list(row) for row in kpi_values(report)], notes),
        Sheet(_("R&D contracts"), deal_columns, deal_rows(report["development"])),
        Sheet(_("Transaction volume"), deal_columns, deal_rows(report["volume"])),
        Sheet(_("Incubated firms"), [Column(_("Organisation"), width=30), Column(_("Region")),
                                     Column(_("Incubated since"), "date", 14), Column(_("In the period"))],
              [[r["name"], r["region"] or "", r["since"], _("Yes") if r["new"] else _("No")]
               for r in report["incubated"]]),
    ])


def review_pdf(report: dict) -> bytes:
    """The report as an A4 PDF with Chinese text embedded."""
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22)
    f = report["filters"]

    def table(rows, widths):
        cells = [[Paragraph(escape(str(c)), body) for c in row] for row in rows]
        t = Table(cells, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    story = [Paragraph(escape(_("TechBridge review report")), title),
             Paragraph(escape(_("Period: %(start)s – %(end)s", start=format_date(f.start), end=format_date(f.end))
                              + (f" · {f.region}" if f.region else "")), body),
             Paragraph(escape(_("Generated %(when)s", when=format_datetime(report["generated_at"]))), body),
             Spacer(1, 4 * mm), Paragraph(escape(_("Key figures")), heading),
             table([[_("Figure"), _("Value")]] + [[t, shown] for t, shown, _raw in kpi_rows(report)],
                   [120 * mm, 50 * mm])]
    widths = [14 * mm, 44 * mm, 30 * mm, 30 * mm, 18 * mm, 18 * mm, 22 * mm]
    for text, rows in ((_("Commissioned R&D contracts"), report["development"]),
                       (_("Contracts and service orders (transaction volume)"), report["volume"])):
        story += [Paragraph(escape(text), heading),
                  table([_deal_header()] + [_deal_cells(r, format_money) for r in rows], widths)
                  if rows else Paragraph(escape(_("None in the period.")), body)]
    story += [Paragraph(escape(_("Incubated firms")), heading),
              table([[_("Organisation"), _("Region"), _("Incubated since")]]
                    + [[r["name"], r["region"] or "—", format_date(r["since"])] for r in report["incubated"]],
                    [90 * mm, 40 * mm, 40 * mm]) if report["incubated"] else Paragraph(escape(_("None.")), body)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=14 * mm,
                      bottomMargin=14 * mm, title="TechBridge review").build(story)
    return out.getvalue()
