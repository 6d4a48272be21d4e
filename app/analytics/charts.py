"""The dashboards' figures as charts: each chart is a table (columns and rows) that the page shows, the browser
draws (``static/analytics.js`` reads the table) and the CSV download writes — one source for all three.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.core.formatting import format_money, format_number, ipc_label, label
from app.deals.actions import STATUS_LABELS

FUNNEL_LABELS = {"views": _l("Listing views"), "inquiries": _l("Inquiries"), "nda": _l("NDAs signed"),
                 "offers": _l("Offers made"), "contracts": _l("Contracts approved"), "completed": _l("Completed")}
CONTRACT_TYPE_LABELS = {"development": _l("Technology development (技术开发)"),
                        "transfer": _l("Technology transfer (技术转让)"),
                        "licence": _l("Technology licence (技术许可)"), "service": _l("Technology service (技术服务)")}
TX_MODE_LABELS = {"negotiated": _l("Negotiated (协议定价)"), "auction": _l("Auction (拍卖)"),
                  "listed": _l("Listed price (挂牌)"), "open_licence": _l("Open licence (开放许可)")}
NOT_STATED = _l("Not stated")
DEAL_STATUS_LABELS = {status.value: text for status, text in STATUS_LABELS.items()}


@dataclass
class Column:
    """A column: ``kind`` is text, count, money (yuan), percent or days; ``plot`` draws it in the chart."""

    key: str
    label: object
    kind: str = "count"
    plot: bool = False

    def display(self, value) -> str:
        """The value as the page shows it (money as 元/万元, percent with %, days with 天/days)."""
        if value is None:
            return "—"
        if self.kind == "money":
            return format_money(value)
        if self.kind == "percent":
            return f"{format_number(value, 1)}%"
        if self.kind == "days":
            return str(_l("%(n)s days", n=format_number(value, 1)))
        if self.kind == "count":
            return format_number(value, 0)
        return str(value)

    def raw(self, value) -> str:
        """The value as the CSV writes it: plain numbers (money in yuan with two decimals)."""
        if value is None:
            return ""
        return f"{value:.2f}" if self.kind == "money" else str(value)


@dataclass
class Chart:
    """One chart: ``kind`` is bar, line or hbar (horizontal bars); ``rows`` are dicts keyed by column key (a
    row with ``noplot`` is shown in the table but not drawn)."""

    key: str
    title: object
    kind: str
    columns: list[Column]
    rows: list[dict]
    note: object = None
    extra: dict = field(default_factory=dict)

    def csv(self) -> str:
        """The table as CSV (labels as the header, raw values; UTF-8 with BOM so spreadsheet programs read
        Chinese)."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([str(c.label) for c in self.columns])
        for row in self.rows:
            writer.writerow([c.raw(row.get(c.key)) if c.kind != "text" else str(row.get(c.key) or "")
                             for c in self.columns])
        return out.getvalue()


def _key_label(kind: str, value) -> str:
    if value is None:
        return str(NOT_STATED)
    if kind == "contract_type":
        return str(CONTRACT_TYPE_LABELS.get(value, value))
    if kind == "tx_mode":
        return str(TX_MODE_LABELS.get(value, value))
    if kind == "ipc_section":
        return ipc_label(value)
    if kind == "industry":
        return str(label("industry", value))
    return str(value)


def _volume_chart(key: str, title, dimension: str, values: dict, *, paid: bool, kind: str = "bar") -> Chart:
    columns = [Column("key", label_of_dimension(dimension), "text"), Column("count", _l("Contracts")),
               Column("amount", _l("Contract amount"), "money", plot=True)]
    if paid:
        columns.append(Column("paid", _l("Money paid"), "money", plot=True))
    rows = [{"key": _key_label(dimension, k), **v} for k, v in values.items()]
    return Chart(key, title, kind, columns, rows)


def label_of_dimension(dimension: str):
    return {"month": _l("Month"), "region": _l("Region"), "contract_type": _l("Contract type"),
            "tx_mode": _l("Transaction mode"), "industry": _l("Industry"), "ipc_section": _l("IPC section")}[dimension]


def market_charts(figures: dict) -> list[Chart]:
    """The admin dashboard's charts, in page order."""
    volume = figures["volume"]
    charts = [
        Chart("funnel", _l("Deal funnel"), "hbar",
              [Column("step", _l("Step"), "text"), Column("count", _l("Number"), plot=True),
               Column("conversion", _l("Of the previous step"), "percent"),
               Column("median_days", _l("Median time from the previous step"), "days")],
              # Views outnumber inquiries a thousandfold: they stay in the table but not in the bars.
              [{**s, "step": str(FUNNEL_LABELS[s["key"]]), "noplot": s["key"] == "views"}
               for s in figures["funnel"]],
              note=_l("Deals opened in the period; each step counts the deals that reached it or a later one "
                      "(an NDA is optional); views are the patents' running totals.")),
        _volume_chart("volume-month", _l("Transaction volume per month"), "month", volume["month"], paid=True,
                      kind="line"),
        _volume_chart("volume-region", _l("Transaction volume per region"), "region", volume["region"], paid=True),
        _volume_chart("volume-type", _l("Transaction volume per contract type"), "contract_type",
                      volume["contract_type"], paid=True),
        _volume_chart("volume-mode", _l("Transaction volume per transaction mode"), "tx_mode", volume["tx_mode"],
                      paid=False),
        _volume_chart("volume-industry", _l("Contracts per industry"), "industry", volume["industry"], paid=False),
        _volume_chart("volume-ipc", _l("Contracts per IPC section"), "ipc_section", volume["ipc_section"],
                      paid=False),
        Chart("rd-services", _l("Commissioned R&D and service orders"), "bar",
              [Column("item", _l("Item"), "text"), Column("count", _l("Number"), plot=True),
               Column("amount", _l("Amount"), "money"), Column("turnaround", _l("Median turnaround"), "days")],
              [{"item": str(_l("Commissioned R&D contracts (委托研发)")), "count": figures["development"]["count"],
                "amount": figures["development"]["amount"], "turnaround": None}]
              + [{"item": str(label("kind", kind)), "count": v["count"], "amount": v["revenue"],
                  "turnaround": v["turnaround_days"]} for kind, v in figures["service_orders"].items()]),
        Chart("conversion", _l("Patent conversion rate by kind of owner"), "bar",
              [Column("kind", _l("Owner"), "text"), Column("listed", _l("Patents listed")),
               Column("converted", _l("With a completed deal")),
               Column("rate", _l("Conversion rate (TechBridge)"), "percent", plot=True),
               Column("research", _l("Conversion rate (research)"), "percent", plot=True)],
              [{**r, "kind": str(label("org_kind", r["kind"]))} for r in figures["conversion"]],
              note=_l("Research: conversion rates of invention patents by kind of owner (universities 13.5%; "
                      "institutes 28.2%; enterprises 67.5%).")),
        Chart("matcher", _l("Matches that became deals"), "hbar",
              [Column("step", _l("Step"), "text"), Column("count", _l("Number"), plot=True),
               Column("rate", _l("Of the previous step"), "percent")],
              [{"step": str(_l("Matches computed")), "count": figures["matcher"]["matches"], "rate": None},
               {"step": str(_l("Inquiries from a match")), "count": figures["matcher"]["inquiries"],
                "rate": figures["matcher"]["inquiry_rate"]},
               {"step": str(_l("Completed deals from a match")), "count": figures["matcher"]["completed"],
                "rate": figures["matcher"]["deal_rate"]}]),
        Chart("organisations", _l("Organisations"), "bar",
              [Column("item", _l("Item"), "text"), Column("count", _l("Number"), plot=True)],
              [{"item": str(text), "count": figures["organisations"][key]} for key, text in (
                  ("active", _l("Active in the period")), ("verified", _l("Verified")),
                  ("incubated", _l("Incubated (as of the end date)")),
                  ("incubated_new", _l("Incubated in the period")))]),
    ]
    return charts


def org_charts(figures: dict) -> list[Chart]:
    """An organisation dashboard's charts, in page order."""
    income = figures["income"]
    return [
        Chart("listings", _l("Listings and their views"), "bar",
              [Column("resource", _l("Kind"), "text"), Column("count", _l("Listings")),
               Column("views", _l("Views"), plot=True)],
              [{"resource": str(label("resource", r)), **v} for r, v in figures["listings"].items()]),
        Chart("deals", _l("Deals by status"), "hbar",
              [Column("status", _l("Status"), "text"), Column("count", _l("Deals"), plot=True)],
              [{"status": str(DEAL_STATUS_LABELS.get(s, s)), "count": n}
               for s, n in figures["deals"]["by_status"].items()],
              note=_l("Deals opened in the period, as buyer or seller.")),
        Chart("income", _l("Income received per month"), "bar",
              [Column("month", _l("Month"), "text"), Column("received", _l("Received"), "money", plot=True)],
              [{"month": m, "received": v} for m, v in income["received"].items()],
              note=_l("Money released to you as seller; expected: agreed but not yet released.")),
    ]


def find(charts: list[Chart], key: str) -> Chart | None:
    """The chart called ``key``."""
    return next((c for c in charts if c.key == key), None)
