"""Human labels for enum values, field names and audit actions, translated (Chinese first), for pages, facets,
the audit log and explanations. ``app/formatting.py`` (``label``, ``field_label``) is the way to read them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MATURITY = {"lab": _l("Laboratory (实验室)"), "small_batch": _l("Small batch (小试)"),
            "pilot": _l("Pilot scale (中试)"), "mass_production": _l("Mass production (量产)")}
LISTING_STATUS = {"draft": _l("Draft"), "pending": _l("Pending review"), "approved": _l("Published"),
                  "needs_revision": _l("Needs revision"), "rejected": _l("Rejected"), "withdrawn": _l("Withdrawn")}
VERIFICATION = {"unverified": _l("Not verified"), "pending": _l("Verification pending"),
                "verified": _l("Verified"), "rejected": _l("Verification rejected")}
DECISIONS = {"approve": _l("Approve"), "revise": _l("Needs revision (整改)"), "reject": _l("Reject"),
             "verify": _l("Verify"), "incubation": _l("Incubation mark")}
ROLES = {"member": _l("Member"), "broker": _l("Broker (技术经理人)"), "org_admin": _l("Organisation admin"),
         "platform_admin": _l("Platform admin")}
RESOURCES = {"patents": _l("Patent"), "demands": _l("Technology demand"), "services": _l("Service offer"),
             "organisation": _l("Organisation")}
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
    "status": LISTING_STATUS,
    "verification_status": VERIFICATION,
    "decision": DECISIONS,
    "role": ROLES,
    "resource": RESOURCES,
    "visibility": {"public": _l("Everyone"), "members": _l("Members of verified organisations")},
    "comparator": {"eq": "=", "gte": "≥", "lte": "≤", "range": _l("range")},
    "qualification_type": {"CMA": "CMA", "CNAS": "CNAS", "other": _l("other")},
    "boolean": {True: _l("Yes"), False: _l("No")},
}
FIELD_LABELS = {
    "region": _l("Region"), "industry": _l("Industry"), "industries": _l("Industries"),
    "maturity": _l("Technology maturity"), "required_maturity": _l("Required maturity"),
    "coop_modes": _l("Cooperation modes"), "patent_type": _l("Patent type"), "legal_status": _l("Legal status"),
    "org_kind": _l("Organisation kind"), "ipc_section": _l("IPC section"), "ipc_class": _l("IPC class"),
    "kind": _l("Service kind"),
    "title": _l("Title"), "abstract": _l("Abstract"), "description": _l("Description"), "claims": _l("Key claim"),
    "patent_number": _l("Patent or application number"), "application_date": _l("Application date"),
    "grant_date": _l("Grant date"), "ipc": _l("IPC codes"), "inventors": _l("Inventors"),
    "applicant": _l("Applicant / assignee"), "trl": _l("TRL (1–9)"), "price": _l("Asking price"),
    "price_negotiable": _l("Price negotiable (面议)"), "keywords": _l("Keywords"),
    "indicators": _l("Technical indicators"), "confidential_details": _l("Confidential details"),
    "budget_min": _l("Budget from"), "budget_max": _l("Budget up to"), "budget": _l("Budget"),
    "valid_until": _l("Valid until"), "visibility": _l("Who may see it"),
    "needs_pilot": _l("Also needs pilot-scale testing (中试)"),
    "needs_inspection": _l("Also needs inspection / testing (检验检测)"),
    "capabilities": _l("Capabilities"), "equipment": _l("Equipment"), "qualifications": _l("Qualifications"),
    "capacity": _l("Capacity"), "lead_time_days": _l("Lead time (days)"), "price_basis": _l("Price basis"),
    "price_from": _l("Price from"), "price_min": _l("Price from"), "price_max": _l("Price up to"), "status": _l("Status"), "moderation_note": _l("Moderator's reasons"),
    "name": _l("Name"), "credit_code": _l("Credit code"), "verification_status": _l("Verification"),
    "verification_note": _l("Admin's note"), "verified_at": _l("Verified on"), "external_id": _l("External id"),
    "published_at": _l("Published on"), "attachments": _l("Attachments"), "sort": _l("Sort"),
    "page": _l("Page number"), "q": _l("Keywords"),
}
# The eight IPC sections' Chinese names (CNIPA's IPC text); no Chinese title source exists for classes below.
IPC_SECTIONS = {"A": "人类生活必需", "B": "作业；运输", "C": "化学；冶金", "D": "纺织；造纸", "E": "固定建筑物",
                "F": "机械工程；照明；加热；武器；爆破", "G": "物理", "H": "电学"}


def value_label(value, field: str):
    """The label of ``value`` of ``field`` (the value itself when it has none, e.g. a region name)."""
    return VALUE_LABELS.get(field, {}).get(value, value)


def field_label(field: str):
    """The label of a field name (the name itself when it has none)."""
    return FIELD_LABELS.get(field, field)


# Every action the audit log records (listing decisions per resource, organisation verification).
AUDIT_ACTIONS = [f"{resource}.{decision}" for resource in ("patents", "demands", "services")
                 for decision in ("approve", "revise", "reject")] + ["organisation.verify", "organisation.reject",
                                                                  "organisation.incubation"]


def audit_action_label(action: str) -> str:
    """``patents.approve`` → "专利 · 批准" (the object kind and the decision, each labelled)."""
    resource, _dot, decision = (action or "").partition(".")
    return f"{value_label(resource, 'resource')} · {value_label(decision, 'decision')}" if decision else action
