"""Pure arithmetic of payment schedules: the items a contract's terms become, royalty periods and contract
years, the royalty of reported sales, and largest-remainder shares. No database access."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.deals.schemas import ROYALTY_PERIODS
from app.schedules.models import ItemKind

REPORT_GRACE_DAYS = 30  # a royalty report is due this many days after its period ends


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months (the last day of a shorter month when needed)."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def fen(amount) -> int:
    """CNY (a decimal string or Decimal, two places) → fen."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def royalty_of(sales: int, rate: Decimal) -> int:
    """The royalty in fen of ``sales`` fen at ``rate`` percent, rounded half up to a whole fen."""
    return int((Decimal(sales) * Decimal(rate) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class PlannedItem:
    """One item a contract's terms produce (the service turns each into a :class:`ScheduleItem`)."""

    kind: ItemKind
    sequence: int
    title: str
    amount: int | None = None
    due_date: date | None = None
    extra: dict = field(default_factory=dict)


def contract_years(start: date, term_months: int) -> list[tuple[int, date, date]]:
    """``(year number, first day, last day)`` of each contract year of the term (the last may be shorter)."""
    years, number = [], 1
    while (number - 1) * 12 < term_months:
        first = add_months(start, (number - 1) * 12)
        last = add_months(start, min(number * 12, term_months)) - timedelta(days=1)
        years.append((number, first, last))
        number += 1
    return years


def royalty_periods(start: date, term_months: int, period: str) -> list[tuple[date, date]]:
    """The reporting periods ``(first day, last day)`` covering the term from ``start``."""
    step = ROYALTY_PERIODS[period]
    return [(add_months(start, offset), add_months(start, min(offset + step, term_months)) - timedelta(days=1))
            for offset in range(0, term_months, step)]


def plan(terms: dict, start: date) -> list[PlannedItem]:
    """Every item of the schedule of ``terms`` (an accepted offer's JSON), the contract starting on ``start``."""
    items = []
    if Decimal(terms["upfront_fee"]) > 0:
        items.append(PlannedItem(ItemKind.upfront, 1, "首付款", fen(terms["upfront_fee"]), start))
    for number, instalment in enumerate(terms.get("instalments") or [], start=1):
        items.append(PlannedItem(ItemKind.instalment, number, f"第{number}期分期款",
                                 fen(instalment["amount"]), date.fromisoformat(instalment["due"])))
    for number, milestone in enumerate(terms.get("milestones") or [], start=1):
        due = date.fromisoformat(milestone["due"]) if milestone.get("due") else None
        items.append(PlannedItem(ItemKind.milestone, number, milestone["title"], fen(milestone["amount"]), due,
                                 {"deliverable": milestone.get("deliverable"),
                                  "acceptance_criterion": milestone.get("acceptance_criterion")}))
    if terms.get("royalty_rate") and terms.get("royalty_period"):
        years = contract_years(start, terms["term_months"])
        periods = royalty_periods(start, terms["term_months"], terms["royalty_period"])
        for number, (first, last) in enumerate(periods, start=1):
            year = next(y for y, y_first, y_last in years if y_first <= first <= y_last)
            items.append(PlannedItem(
                ItemKind.royalty, number, f"提成报告 {first.isoformat()} – {last.isoformat()}",
                None, last + timedelta(days=REPORT_GRACE_DAYS),
                {"period_start": first, "period_end": last, "contract_year": year,
                 "royalty_rate": Decimal(str(terms["royalty_rate"]))}))
    return items


def shortfall(minimum: int, royalties: int) -> int:
    """What a contract year's royalties lack to reach the annual minimum (never negative)."""
    return max(0, minimum - royalties)


def largest_remainder(total: int, percents: list[Decimal]) -> list[int]:
    """``total`` fen split by ``percents`` (summing to 100) into whole fen that sum exactly to ``total``.

    Each share gets the floor of its exact part; the fen left over go one by one to the largest remainders
    (ties to the earlier share), so a negative ``total`` (a reversal) mirrors the positive split exactly.
    """
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [Decimal(magnitude) * Decimal(p) / 100 for p in percents]
    floors = [int(part) for part in exact]
    left = magnitude - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [sign * part for part in floors]
