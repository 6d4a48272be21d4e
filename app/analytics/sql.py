"""The few SQL expressions that differ between SQLite (development, tests) and PostgreSQL (production): the China
month of a moment, seconds between two moments, and a median.

Everything else in the dashboards is portable SQLAlchemy; these helpers keep the dialect switch in one place.
"""
from __future__ import annotations

import statistics

from sqlalchemy import Date, Numeric, cast, func

from app.core.extensions import db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def dialect_of(connection) -> str:
    """The dialect name of a connection (inside a flush, where the session is busy)."""
    return connection.dialect.name


def china_month(column):
    """``YYYY-MM`` of a stored UTC moment in China time (UTC+8 all year, no daylight saving)."""
    if dialect() == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")


def calendar_month(day_column):
    """``YYYY-MM`` of a date column (a date already in China time)."""
    if dialect() == "postgresql":
        return func.to_char(day_column, "YYYY-MM")
    return func.strftime("%Y-%m", day_column)


def china_date(column):
    """The China date of a stored UTC moment."""
    if dialect() == "postgresql":
        return cast(func.timezone("Asia/Shanghai", column), Date)
    return func.date(column, "+8 hours")


def seconds_between(earlier, later):
    """``later - earlier`` in seconds (NULL when either is NULL)."""
    if dialect() == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def json_money(column, key: str):
    """A decimal amount stored as a string in a JSON column (e.g. a deal's agreed ``upfront_fee``)."""
    return cast(column[key].as_string(), Numeric(16, 2))


class Median:
    """The median of ``expr`` over a group: ``percentile_cont`` on PostgreSQL; SQLite has no ordered-set
    aggregate, so there the values are concatenated and the median taken in Python (SQLite holds small data)."""

    def __init__(self, expr):
        self.column = (func.percentile_cont(0.5).within_group(expr) if dialect() == "postgresql"
                       else func.group_concat(expr))

    @staticmethod
    def value(raw) -> float | None:
        """The median from the query's answer (None for an empty group)."""
        if raw is None:
            return None
        if isinstance(raw, str):
            values = [float(v) for v in raw.split(",") if v]
            return statistics.median(values) if values else None
        return float(raw)
