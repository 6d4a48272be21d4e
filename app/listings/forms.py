"""Form pieces every listing kind's create/edit form uses (each kind declares its own layout over its schema's
data keys in ``app/<kind>/form.py``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.forms import FormField as F
from app.core.labels import VALUE_LABELS

MATURITY = (("", _l("— not stated —")), *VALUE_LABELS["maturity"].items())
COOP_MODES = tuple(VALUE_LABELS["coop_modes"].items())
COMPARATORS = (("eq", "="), ("gte", "≥"), ("lte", "≤"), ("range", _l("range")))
INDICATOR_COLUMNS = (
    F("name", _l("Indicator")), F("comparator", _l("Comparison"), "select", COMPARATORS),
    F("value", _l("Value (or from)"), "number"), F("value_max", _l("to (ranges)"), "number"), F("unit", _l("Unit")),
)
LIST_HELP = _l("Separate several with commas or new lines.")


def indicators(help_text) -> F:
    return F("indicators", _l("Technical indicators"), "rows", columns=INDICATOR_COLUMNS, help=help_text, wide=True)


def common_tail() -> tuple:
    return (F("industry", _l("Industry")), F("region", _l("Region")),
            F("keywords", _l("Keywords"), "list", help=LIST_HELP, wide=True))
