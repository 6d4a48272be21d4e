"""The patent create/edit form, as field sections over the patent schema's data keys."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.forms import FormField as F
from app.core.forms import FormSection
from app.core.labels import VALUE_LABELS
from app.listings.forms import COOP_MODES, LIST_HELP, MATURITY, common_tail, indicators

FORM = (
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
        *common_tail(),
        indicators(_l("What the technology achieves: a value or a range, with its unit.")),
        F("confidential_details", _l("Confidential details"), "textarea", wide=True,
          help=_l("Only your organisation, platform admins and deal parties after an NDA see this.")),
    )),
)
