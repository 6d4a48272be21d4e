"""The platform admins' organisation verification queue: verify, or reject with a reason (audited)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.errors import ValidationFailed
from app.core.identity import current_identity
from app.orgs import service

bp = Blueprint("orgs", __name__, url_prefix="/admin/verifications")
STATUS_FILTERS = ("pending", "unverified", "verified", "rejected")


def _render_queue(status: str, errors: dict | None = None, failed_org: int | None = None, code: int = 200):
    organisations = service.list_organisations(current_identity(), status=status)
    messages = {key: [str(m) for m in value] for key, value in (errors or {}).items()}
    return render_template("orgs/verifications.html", organisations=organisations, status=status,
                           filters=STATUS_FILTERS, messages=messages, failed_org=failed_org,
                           reason=request.form.get("reason", "")), code


@bp.route("/")
@login_required
def queue():
    """Organisations of one verification status, oldest request first (default: pending)."""
    status = request.args.get("status", "pending")
    return _render_queue(status if status in STATUS_FILTERS else "pending")


@bp.route("/<int:org_id>", methods=["POST"])
@login_required
def decide(org_id):
    """Verify or reject one organisation; a rejection without a reason is a message next to the reason field."""
    decision = request.form.get("decision", "")
    try:
        org = service.decide_verification(current_identity(), org_id, decision, request.form.get("reason") or None)
    except ValidationFailed as error:
        return _render_queue(request.args.get("status", "pending"), error.errors, org_id, 422)
    flash(_("%(name)s is verified.", name=org.name) if decision == "verify"
          else _("%(name)s is rejected.", name=org.name), "success")
    return redirect(url_for(".queue"))
