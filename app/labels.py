"""Human labels for enum values and facet fields, translated (Chinese first), for pages and facets."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MATURITY = {"lab": _l("Laboratory (实验室)"), "small_batch": _l("Small batch (小试)"),
            "pilot": _l("Pilot scale (中试)"), "mass_production": _l("Mass production (量产)")}
VALUE_LABELS = {
    "maturity": MATURITY,
    "required_maturity": MATURITY,
    "coop_modes": {"assignment": _l("Assignment"), "exclusive_licence": _l("Exclusive licence"),
                   "sole_licence": _l("Sole licence"), "non_exclusive_licence": _l("Non-exclusive licence"),
                   "equity": _l("Equity contribution"), "development": _l("Joint development")},
    "patent_type": {"invention": _l("Invention patent"), "utility_model": _l("Utility model"),
                    "design": _l("Design patent"), "achievement": _l("Research achievement")},
    "legal_status": {"pending": _l("Under examination"), "granted": _l("Granted"), "expired": _l("Expired"),
                     "invalid": _l("Invalid")},
    "org_kind": {"university": _l("University"), "institute": _l("Research institute"),
                 "enterprise": _l("Enterprise"), "service_provider": _l("Service provider"),
                 "platform": _l("Platform")},
    "kind": {"pilot": _l("Pilot-scale testing (中试)"), "inspection": _l("Inspection and testing (检验检测)")},
}
FIELD_LABELS = {
    "region": _l("Region"), "industry": _l("Industry"), "industries": _l("Industries"),
    "maturity": _l("Technology maturity"), "required_maturity": _l("Required maturity"),
    "coop_modes": _l("Cooperation modes"), "patent_type": _l("Patent type"), "legal_status": _l("Legal status"),
    "org_kind": _l("Organisation kind"), "ipc_section": _l("IPC section"), "ipc_class": _l("IPC class"),
    "kind": _l("Service kind"),
}


def value_label(value, field: str):
    """The label of ``value`` of ``field`` (the value itself when it has none, e.g. a region name)."""
    return VALUE_LABELS.get(field, {}).get(value, value)


def field_label(field: str):
    return FIELD_LABELS.get(field, field)
