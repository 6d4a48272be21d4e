"""The service-offer create/edit form, as field sections over the offer schema's data keys."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.forms import FormField as F
from app.core.forms import FormSection
from app.core.labels import VALUE_LABELS
from app.listings.forms import LIST_HELP, common_tail

FORM = (
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
        *common_tail(),
    )),
)
