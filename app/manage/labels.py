"""Interface labels of listing statuses, verification states, decisions and roles (all kept in ``app/labels.py``),
shared by the templates of the owners' and admins' pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.labels import DECISIONS, LISTING_STATUS, ROLES, VALUE_LABELS, VERIFICATION
from app.portfolio.views import RESOURCE_LABELS

ORG_KIND_LABELS = VALUE_LABELS["org_kind"]  # the account pages import it from here

RESOURCE_SINGULAR = {"patents": _l("patent"), "demands": _l("technology demand"), "services": _l("service offer")}
UI_LABELS = {"resource": RESOURCE_LABELS, "status": LISTING_STATUS, "org_kind": ORG_KIND_LABELS,
             "verification": VERIFICATION, "decision": {k: v for k, v in DECISIONS.items() if k != "verify"},
             "role": ROLES, "singular": RESOURCE_SINGULAR}
