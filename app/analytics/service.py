"""Market figures for platform admins: read-only counts of listings and organisations.

Nothing here writes. Weekly figures are counted per day in SQL (``date()`` exists on SQLite and
PostgreSQL) and summed into ISO weeks here, so no dialect-specific date truncation is needed.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from app.analytics.policy import require
from app.core.extensions import db
from app.core.formatting import local_today
from app.core.identity import Identity
from app.listings.models import ListingStatus
from app.listings.registry import listing_services
from app.orgs.models import Organisation, OrgKind, VerificationStatus


def listings_by_status() -> dict[str, dict[str, int]]:
    """Resource → status → number of listings (every status present, zeros included)."""
    figures = {}
    for resource, service in listing_services().items():
        model = service.model
        counts = dict(db.session.execute(select(model.status, func.count()).group_by(model.status)).all())
        figures[resource] = {status.value: counts.get(status, 0) for status in ListingStatus}
    return figures


def expired_demands(today: date) -> int:
    """Published demands past their validity date (no longer listed)."""
    model = listing_services()["demands"].model
    return db.session.scalar(
        select(func.count()).where(model.status == ListingStatus.approved, model.valid_until < today)
    )


def organisations_by_kind() -> dict[str, dict[str, int]]:
    """Organisation kind → verification status → number of organisations."""
    rows = db.session.execute(
        select(Organisation.kind, Organisation.verification_status, func.count())
        .group_by(Organisation.kind, Organisation.verification_status)
    ).all()
    counts = {(kind, status): n for kind, status, n in rows}
    return {kind.value: {status.value: counts.get((kind, status), 0) for status in VerificationStatus}
            for kind in OrgKind}


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _per_day(column, since: datetime) -> dict[date, int]:
    day = func.date(column)
    rows = db.session.execute(select(day, func.count()).where(column >= since).group_by(day)).all()
    # SQLite answers "YYYY-MM-DD" strings, PostgreSQL dates.
    return {value if isinstance(value, date) else date.fromisoformat(value): n for value, n in rows}


def new_listings_per_week(today: date, weeks: int) -> list[dict]:
    """The last ``weeks`` ISO weeks (oldest first, this week last): listings created per resource, and
    listings published (all resources)."""
    first = _week_start(today) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, time.min, tzinfo=UTC)
    table = [{"week": first + timedelta(weeks=i), "created": {}, "published": 0} for i in range(weeks)]

    def bucket(day: date) -> dict | None:
        index = (_week_start(day) - first).days // 7
        return table[index] if 0 <= index < weeks else None

    for resource, service in listing_services().items():
        for row in table:
            row["created"][resource] = 0
        for day, n in _per_day(service.model.created_at, since).items():
            if (row := bucket(day)) is not None:
                row["created"][resource] += n
        for day, n in _per_day(service.model.published_at, since).items():
            if (row := bucket(day)) is not None:
                row["published"] += n
    return table


def market_figures(identity: Identity, *, today: date | None = None, weeks: int = 12) -> dict:
    """The listing and organisation counts of the admin dashboard (AnalyticsPolicy ``read_market``)."""
    require("read_market", identity)
    today = today or local_today()
    return {
        "listings": listings_by_status(),
        "expired_demands": expired_demands(today),
        "organisations": organisations_by_kind(),
        "weeks": new_listings_per_week(today, weeks),
    }
