"""Technology-contract registration export (技术合同认定登记) of a deal: JSON and CSV.

Registration unlocks tax benefits for both parties, so a deal exports what the registration form asks: the
parties with their unified social credit codes, the contract category, the subject (patent numbers), the amount
and payment schedule, the term and the signing date. The same record is printed on the contract PDF.
"""
from __future__ import annotations

import calendar
import csv
import io
from datetime import date

from app.deals.contract import registration_rows, signing_date


def _add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months (the last day of a shorter month when needed)."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def registration_record(deal) -> dict:
    """The registration data of a deal with a contract (complete once both parties signed)."""
    contract = deal.contract
    terms = contract["terms"]
    signed = signing_date(deal)
    months = terms.get("term_months")
    end = _add_months(date.fromisoformat(signed), months).isoformat() if signed and months else None
    return {
        "contract_number": contract["number"],
        "contract_category": contract["category"],
        "contract_subtype": contract["subtype"],
        "mode": terms["mode"],
        "buyer": contract["buyer"],
        "seller": contract["seller"],
        "subject": {"patents": contract["patents"], "territory": terms["territory"],
                    "field_of_use": terms["field_of_use"]},
        "amount": {"total": contract["total_amount"], "upfront_fee": terms["upfront_fee"],
                   "royalty_rate": terms.get("royalty_rate"), "currency": "CNY"},
        "payment_schedule": contract["payment_schedule"],
        "term": {"months": months, "start": signed, "end": end},
        "signing_date": signed,
        "approved_at": deal.approved_at.isoformat() if deal.approved_at else None,
        "completed_at": deal.completed_at.isoformat() if deal.completed_at else None,
    }


def registration_csv(record: dict) -> str:
    """One header line and one data line (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    rows = registration_rows(record)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for label, _ in rows])
    writer.writerow([value for _, value in rows])
    return "\ufeff" + buffer.getvalue()
