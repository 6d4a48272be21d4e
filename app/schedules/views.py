"""Schedule pages: my schedule items and one item's page (the workflow pages: timeline, documents, the forms of
what I may do next), the admin desk of disputed and overdue items, the "Payment schedule" section of a deal's
page, and the revenue distribution page of an institution (its rules and statements, CSV export)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.errors import ValidationFailed
from app.core.formatting import local_today
from app.core.identity import current_identity
from app.core.input import form_data
from app.deals.schemas import has_schedule
from app.schedules import distribution
from app.schedules.actions import KIND_LABELS
from app.schedules.models import ItemStatus
from app.schedules.policy import distribution_policy, schedule_policy
from app.schedules.service import schedule_service
from app.transactions.pages import workflow_pages

bp = Blueprint("schedules", __name__, url_prefix="/schedule-items")
distribution_bp = Blueprint("distribution", __name__, url_prefix="/distribution")
SHARE_ROWS = 5


def _item_context(identity, item) -> dict:
    documents = [e.payload["document_id"] for e in schedule_service.events_of(item) if e.payload.get("document_id")]
    return {"choices": {}, "kind_labels": KIND_LABELS, "document_ids": documents, "today": local_today()}


workflow_pages(bp, schedule_service, list_template="schedules/index.html", item_template="schedules/item.html",
               context=_item_context, list_context=lambda identity: {"kind_labels": KIND_LABELS})
# The distribution pages are another blueprint, registered with this one (a domain exposes one ``views.bp``).


@bp.app_context_processor
def _deal_schedule():
    """``schedule_of(deal)``: the deal page's payment schedule section (None for deals without a schedule)."""

    def schedule_of(deal):
        if not has_schedule(deal.terms) or deal.approved_at is None:
            return None
        return schedule_service.schedule(current_identity(), deal.id)

    return {"schedule_of": schedule_of, "schedule_kind_labels": KIND_LABELS,
            "schedule_status_label": schedule_service.status_label, "item_title": schedule_service.display_title}


@bp.route("/desk")
@login_required
def desk():
    """The admin desk: disputed items to decide and items past their due date."""
    identity = current_identity()
    if not schedule_policy.allows("watch_all", identity):
        abort(403)
    disputed, _total = schedule_service.list(identity, statuses=[ItemStatus.disputed.value], everyone=True,
                                             per_page=100)
    overdue, _total = schedule_service.list_items(identity, overdue_only=True, per_page=100)
    return render_template("schedules/desk.html", disputed=disputed, overdue=overdue, service=schedule_service,
                           kind_labels=KIND_LABELS)


@distribution_bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """The institution's distribution rules (a form for the default or one patent's) and its statements."""
    identity = current_identity()
    org_id = request.args.get("org_id", type=int)
    errors, code = {}, 200
    if request.method == "POST":
        data = form_data(request.form, request.files)
        data.setdefault("shares", [])
        try:
            distribution.set_rule(identity, data)
        except ValidationFailed as error:
            errors, code = error.errors, 422
        else:
            flash(_("The distribution rule was saved."), "success")
            return redirect(url_for("distribution.index"), code=303)
    rules = distribution.rules(identity, org_id)
    statements = distribution.statements(identity, org_id)
    return render_template("schedules/distribution.html", rules=rules, statements=statements,
                           patents=distribution.own_patents(identity), errors=errors, form=request.form,
                           share_rows=SHARE_ROWS, org_id=org_id, kind_labels=distribution.BENEFICIARY_KINDS,
                           may_manage=distribution_policy.allows("create", identity)), code


@distribution_bp.route("/statements.<fmt>")
@login_required
def statements_export(fmt):
    """The statements as CSV or XLSX for the finance office."""
    if fmt not in distribution.EXPORTS:
        abort(404)
    rows = distribution.statements(current_identity(), request.args.get("org_id", type=int))
    render, mimetype = distribution.EXPORTS[fmt]
    return Response(render(rows), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=distribution-statements.{fmt}"})
