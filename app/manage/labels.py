"""Interface labels of listing statuses, verification states, decisions and roles (all kept in ``app/labels.py``),
shared by the templates of the owners' and admins' pages."""
from __future__ import annotations

from app.core.labels import DECISIONS, LISTING_STATUS, ROLES, VALUE_LABELS, VERIFICATION
from app.listings.registry import kinds

ORG_KIND_LABELS = VALUE_LABELS["org_kind"]  # the account pages import it from here

STATIC_LABELS = {"status": LISTING_STATUS, "org_kind": ORG_KIND_LABELS, "verification": VERIFICATION,
                 "decision": {k: v for k, v in DECISIONS.items() if k != "verify"}, "role": ROLES}


def ui_labels() -> dict:
    """Every label table the owners' and admins' templates use, with the registered listing kinds' names."""
    declared = kinds()
    return {**STATIC_LABELS, "resource": {r: k.name for r, k in declared.items()},
            "singular": {r: k.singular for r, k in declared.items()}}
