"""The patent schema: API input/output and the search document."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates_schema

from app.core.validators import normalise_patent_number, not_in_future
from app.listings.models import Maturity
from app.listings.schemas import IndicatorSchema, ListingSchema, ValidatedString, coop_modes, ipc_list, money
from app.patents.models import LegalStatus, PatentType

# Fields only the owner, admins and NDA-bound deal parties may read.
CONFIDENTIAL = ("confidential_details",)
MIN_PATENT_ABSTRACT = 10


def _ipc_prefixes(length: int):
    return lambda obj: sorted({code[:length] for code in obj.ipc_codes})


class PatentSchema(ListingSchema):
    """A patent listing."""

    abstract = fields.String(load_default="", validate=validate.Length(max=10000))
    claims = fields.String(allow_none=True, validate=validate.Length(max=20000))
    patent_number = ValidatedString(normalise_patent_number, allow_none=True)
    patent_type = fields.Enum(PatentType, by_value=True, load_default=PatentType.invention)
    application_date = fields.Date(allow_none=True, validate=not_in_future)
    grant_date = fields.Date(allow_none=True, validate=not_in_future)
    legal_status = fields.Enum(LegalStatus, by_value=True, load_default=LegalStatus.pending)
    ipc = ipc_list()
    ipc_section = fields.Function(_ipc_prefixes(1), dump_only=True)
    ipc_class = fields.Function(_ipc_prefixes(3), dump_only=True)
    ipc_subclass = fields.Function(_ipc_prefixes(4), dump_only=True)
    inventors = fields.List(fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=50))
    applicant = fields.String(allow_none=True, validate=validate.Length(max=200))
    maturity = fields.Enum(Maturity, by_value=True, allow_none=True)
    trl = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=9))
    coop_modes = coop_modes()
    price = money(attribute="asking_price")
    price_negotiable = fields.Boolean(load_default=True)
    indicators = fields.List(fields.Nested(IndicatorSchema), validate=validate.Length(max=50))
    confidential_details = fields.String(allow_none=True, validate=validate.Length(max=20000))
    source_note = fields.String(dump_only=True, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _check_abstract(self, data, partial=None, **kwargs):
        """A patent needs a real abstract; a research achievement may be known by its title alone."""
        if partial or data.get("patent_type") == PatentType.achievement:
            return
        if len((data.get("abstract") or "").strip()) < MIN_PATENT_ABSTRACT:
            raise ValidationError([_l("Enter at least %(min)s characters.", min=MIN_PATENT_ABSTRACT)], "abstract")

    @validates_schema
    def _check_dates_and_price(self, data, **kwargs):
        applied, granted = data.get("application_date"), data.get("grant_date")
        if applied and granted and granted < applied:
            raise ValidationError([_l("The grant date must not precede the application date.")], "grant_date")
        if data.get("asking_price") is None and data.get("price_negotiable") is False:
            raise ValidationError([_l("Give a price or mark it negotiable.")], "price")
