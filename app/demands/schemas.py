"""The technology-demand schema: API input/output and the search document."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from app.core.formatting import local_today
from app.core.validators import within_validity_horizon
from app.listings.models import Maturity, Visibility
from app.listings.schemas import IndicatorSchema, ListingSchema, coop_modes, ipc_list, money

CONFIDENTIAL: tuple[str, ...] = ()
DEFAULT_VALIDITY = timedelta(days=180)


class DemandSchema(ListingSchema):
    """A technology demand."""

    description = fields.String(required=True, validate=validate.Length(min=10, max=10000))
    budget_min = money()
    budget_max = money()
    valid_until = fields.Date(load_default=lambda: local_today() + DEFAULT_VALIDITY, validate=within_validity_horizon)
    required_maturity = fields.Enum(Maturity, by_value=True, allow_none=True)
    coop_modes = coop_modes()
    ipc = ipc_list()
    visibility = fields.Enum(Visibility, by_value=True, load_default=Visibility.public)
    needs_pilot = fields.Boolean(load_default=False)
    needs_inspection = fields.Boolean(load_default=False)
    indicators = fields.List(fields.Nested(IndicatorSchema), validate=validate.Length(max=50))

    @validates("valid_until")
    def _not_in_past(self, value, **kwargs):
        if value < local_today():
            raise ValidationError([_l("The validity date must not be in the past.")])

    @validates_schema
    def _check_budget(self, data, **kwargs):
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and low > high:
            raise ValidationError([_l("The maximum budget must not be below the minimum.")], "budget_max")
