"""The create/edit forms of the three listing resources, as field lists over their schemas' data keys."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.forms import FormField as F
from app.core.forms import FormSection
from app.core.labels import VALUE_LABELS

MATURITY = (("", _l("— not stated —")), *VALUE_LABELS["maturity"].items())
COOP_MODES = tuple(VALUE_LABELS["coop_modes"].items())
COMPARATORS = (("eq", "="), ("gte", "≥"), ("lte", "≤"), ("range", _l("range")))
INDICATOR_COLUMNS = (
    F("name", _l("Indicator")), F("comparator", _l("Comparison"), "select", COMPARATORS),
    F("value", _l("Value (or from)"), "number"), F("value_max", _l("to (ranges)"), "number"), F("unit", _l("Unit")),
)
LIST_HELP = _l("Separate several with commas or new lines.")


def _indicators(help_text) -> F:
    return F("indicators", _l("Technical indicators"), "rows", columns=INDICATOR_COLUMNS, help=help_text, wide=True)


def _common_tail() -> tuple:
    return (F("industry", _l("Industry")), F("region", _l("Region")),
            F("keywords", _l("Keywords"), "list", help=LIST_HELP, wide=True))


PATENT_FORM = (
    FormSection(_l("The patent"), (
        F("title", _l("Title"), required=True, wide=True),
        F("abstract", _l("Abstract"), "textarea", required=True, wide=True),
        F("claims", _l("Key claim"), "textarea", wide=True),
        F("patent_number", _l("Patent or application number"),
          help=_l("e.g. CN202310123456.6, ZL202310123456.6 or CN117151122A; the check digit is verified")),
        F("patent_type", _l("Patent type"), "select", tuple(VALUE_LABELS["patent_type"].items())),
        F("application_date", _l("Application date"), "date"),
        F("grant_date", _l("Grant date"), "date"),
        F("legal_status", _l("Legal status"), "select", tuple(VALUE_LABELS["legal_status"].items())),
        F("ipc", _l("IPC codes"), "list", help=_l("e.g. G06F 16/35, H01M 4/525")),
        F("inventors", _l("Inventors"), "list", help=LIST_HELP),
        F("applicant", _l("Applicant / assignee")),
    )),
    FormSection(_l("Offer"), (
        F("maturity", _l("Technology maturity"), "select", MATURITY),
        F("trl", _l("TRL (1–9)"), "number"),
        F("coop_modes", _l("Cooperation modes"), "checkboxes", COOP_MODES, wide=True),
        F("price", _l("Asking price (CNY)"), "number"),
        F("price_negotiable", _l("Price negotiable (面议)"), "checkbox"),
        *_common_tail(),
        _indicators(_l("What the technology achieves: a value or a range, with its unit.")),
        F("confidential_details", _l("Confidential details"), "textarea", wide=True,
          help=_l("Only your organisation, platform admins and deal parties after an NDA see this.")),
    )),
)

DEMAND_FORM = (
    FormSection(_l("The need"), (
        F("title", _l("Title"), required=True, wide=True),
        F("description", _l("Description"), "textarea", required=True, wide=True),
        F("required_maturity", _l("Required maturity"), "select", MATURITY),
        F("coop_modes", _l("Cooperation modes wanted"), "checkboxes", COOP_MODES, wide=True),
        F("ipc", _l("IPC codes"), "list", help=_l("e.g. G06F 16/35, H01M 4/525")),
        *_common_tail(),
        _indicators(_l("Targets the technology must reach: a value, a minimum (≥), a maximum (≤) or a range.")),
    )),
    FormSection(_l("Budget, validity and visibility"), (
        F("budget_min", _l("Budget from (CNY)"), "number"),
        F("budget_max", _l("Budget up to (CNY)"), "number"),
        F("valid_until", _l("Valid until"), "date", help=_l("The demand leaves the listings after this date.")),
        F("visibility", _l("Who may see it"), "select", (("public", _l("Everyone")),
                                                          ("members", _l("Members of verified organisations")))),
        F("needs_pilot", _l("Also needs pilot-scale testing (中试)"), "checkbox"),
        F("needs_inspection", _l("Also needs inspection / testing (检验检测)"), "checkbox"),
    )),
)

SERVICE_FORM = (
    FormSection(_l("The service"), (
        F("kind", _l("Service kind"), "select", tuple(VALUE_LABELS["kind"].items()), required=True),
        F("title", _l("Title"), required=True, wide=True),
        F("description", _l("Description"), "textarea", required=True, wide=True),
        F("capabilities", _l("Capabilities"), "textarea", wide=True),
        F("equipment", _l("Equipment"), "textarea", wide=True),
        F("qualifications", _l("Qualifications"), "rows", wide=True, columns=(
            F("type", _l("Type"), "select", (("CMA", "CMA"), ("CNAS", "CNAS"), ("other", _l("other")))),
            F("number", _l("Certificate number")),
        )),
    )),
    FormSection(_l("Terms"), (
        F("capacity", _l("Capacity")),
        F("lead_time_days", _l("Lead time (days)"), "number"),
        F("price_basis", _l("Price basis")),
        F("price_from", _l("Price from (CNY)"), "number"),
        F("industries", _l("Industries served"), "list", help=LIST_HELP),
        *_common_tail(),
    )),
)

LISTING_FORMS = {"patents": PATENT_FORM, "demands": DEMAND_FORM, "services": SERVICE_FORM}
