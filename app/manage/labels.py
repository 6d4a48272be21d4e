"""Interface labels of listing statuses, verification states, decisions and roles (values of other fields:
``app/labels.py``), shared by the templates of the owners' and admins' pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..labels import VALUE_LABELS
from ..portfolio.views import RESOURCE_LABELS

RESOURCE_SINGULAR = {"patents": _l("patent"), "demands": _l("technology demand"), "services": _l("service offer")}
STATUS_LABELS = {"draft": _l("Draft"), "pending": _l("Pending review"), "approved": _l("Published"),
                 "needs_revision": _l("Needs revision"), "rejected": _l("Rejected"), "withdrawn": _l("Withdrawn")}
ORG_KIND_LABELS = VALUE_LABELS["org_kind"]
VERIFICATION_LABELS = {"unverified": _l("Not verified"), "pending": _l("Verification pending"),
                       "verified": _l("Verified"), "rejected": _l("Verification rejected")}
DECISION_LABELS = {"approve": _l("Approve"), "revise": _l("Needs revision (整改)"), "reject": _l("Reject")}
ROLE_LABELS = {"member": _l("Member"), "broker": _l("Broker (技术经理人)"), "org_admin": _l("Organisation admin"),
               "platform_admin": _l("Platform admin")}

UI_LABELS = {"resource": RESOURCE_LABELS, "status": STATUS_LABELS, "org_kind": ORG_KIND_LABELS,
             "verification": VERIFICATION_LABELS, "decision": DECISION_LABELS, "role": ROLE_LABELS,
             "singular": RESOURCE_SINGULAR}
