"""The dashboards' filters: a date range (China dates, both ends included) and a region.

Read from the query string through :class:`FilterSchema`; a bad value is a 400 with the field named, shown next
to the field on the pages. The service turns the dates into the UTC moments the database stores.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from app.core.formatting import display_timezone, local_today

# A review covers at most three years (the 三年一次 review); longer ranges would only be slow.
MAX_DAYS = 3 * 366 + 31


@dataclass(frozen=True)
class Filters:
    """Figures of ``start``..``end`` (China dates, inclusive), of organisations in ``region`` (None: all)."""

    start: date
    end: date
    region: str | None = None

    @classmethod
    def default(cls, today: date | None = None) -> Filters:
        """The last twelve months, this month included."""
        today = today or local_today()
        first = date(today.year - 1, today.month, 1) + timedelta(days=32)
        return cls(start=first.replace(day=1), end=today)

    @property
    def since(self) -> datetime:
        """The first moment of ``start`` in China time (aware)."""
        return datetime.combine(self.start, time.min, tzinfo=display_timezone())

    @property
    def until(self) -> datetime:
        """The first moment after ``end`` (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=display_timezone())

    def query_args(self) -> dict:
        """The filters as query-string arguments (for links to CSV downloads)."""
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.region:
            args["region"] = self.region
        return args


class FilterSchema(Schema):
    """``start``, ``end`` (YYYY-MM-DD) and ``region``; missing dates default to the last twelve months."""

    class Meta:
        unknown = EXCLUDE

    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    region = fields.String(load_default=None, validate=validate.Length(max=64))

    @pre_load
    def _blank_is_missing(self, data, **kwargs):
        """An empty form field (the filter form sends every field) means "not given"."""
        return {key: value for key, value in data.items() if value not in ("", None)}

    @validates_schema
    def _a_forward_range(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(str(_l("The start date is after the end date.")), "start")
        if start and end and (end - start).days > MAX_DAYS:
            raise ValidationError(str(_l("A range covers at most three years.")), "end")
        for name in ("start", "end"):
            if data.get(name) and data[name].year < 2000:
                raise ValidationError(str(_l("Choose a date after 2000.")), name)

    @post_load
    def _filters(self, data, **kwargs) -> Filters:
        default = Filters.default()
        # A start alone runs to today (at most three years); an end alone covers the twelve months before it.
        end = data["end"] or (default.end if not data["start"] else
                              max(data["start"], min(default.end, data["start"] + timedelta(days=MAX_DAYS))))
        start = data["start"] or (default.start if not data["end"] else end - timedelta(days=364))
        region = (data["region"] or "").strip() or None
        return Filters(start=start, end=end, region=region)
