"""The technology-demand create/edit form, as field sections over the demand schema's data keys."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.forms import FormField as F
from app.core.forms import FormSection
from app.listings.forms import COOP_MODES, MATURITY, common_tail, indicators

FORM = (
    FormSection(_l("The need"), (
        F("title", _l("Title"), required=True, wide=True),
        F("description", _l("Description"), "textarea", required=True, wide=True),
        F("required_maturity", _l("Required maturity"), "select", MATURITY),
        F("coop_modes", _l("Cooperation modes wanted"), "checkboxes", COOP_MODES, wide=True),
        F("ipc", _l("IPC codes"), "list", help=_l("e.g. G06F 16/35, H01M 4/525")),
        *common_tail(),
        indicators(_l("Targets the technology must reach: a value, a minimum (≥), a maximum (≤) or a range.")),
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
