"""Web pages every workflow resource has (deals, service orders), built once from its service: the list of the
caller's, one item's page (timeline from its events, the forms of what the caller may do next), the action
endpoint behind those forms and document downloads. Views parse the form, call one service method and render.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.identity import current_identity
from app.core.input import form_data
from app.listings.models import CoopMode
from app.payments import service as payments
from app.transactions.resource import send_pdf

PER_PAGE = 30
# Labels of the input fields of every action form (the schemas' field names).
FIELD_LABELS = {
    "reason": _l("Reason"), "text": _l("NDA text (leave empty for the platform template)"),
    "agree": _l("I have read and agree"), "mode": _l("Cooperation mode"), "territory": _l("Territory"),
    "field_of_use": _l("Field of use"), "term_months": _l("Term (months)"), "upfront_fee": _l("Upfront fee (CNY)"),
    "royalty_rate": _l("Royalty rate (percent of net sales)"), "milestones": _l("Milestone payments"),
    "conditions": _l("Other conditions"), "service_offer_id": _l("Service offer"), "plan": _l("Test plan / scope"),
    "results": _l("Results"), "report": _l("Report (PDF)"), "note": _l("Note"), "amount": _l("Price (CNY)"),
    "lead_time_days": _l("Lead time (days)"), "summary": _l("Summary"),
    "payment_plan": _l("Payment through the platform"), "instalments": _l("Instalments"),
    "royalty_minimum_annual": _l("Minimum annual royalty (CNY)"), "royalty_period": _l("Royalty reporting period"),
    "sales": _l("Net sales of the period (CNY)"), "evidence": _l("Evidence (PDF)"), "document": _l("Document (PDF)"),
    "method": _l("How the seller's share comes back"), "reference": _l("Bank reference (manual reversal)"),
}
MODE_LABELS = {
    CoopMode.assignment.value: _l("Assignment"), CoopMode.exclusive_licence.value: _l("Exclusive licence"),
    CoopMode.sole_licence.value: _l("Sole licence"), CoopMode.non_exclusive_licence.value: _l("Non-exclusive licence"),
    CoopMode.equity.value: _l("Equity contribution"), CoopMode.development.value: _l("Commissioned development"),
}
ROLE_LABELS = {"buyer": _l("Buyer"), "seller": _l("Seller"), "admin": _l("Platform admin"),
               "system": _l("Platform (automatic)")}
PAYMENT_LABELS = {
    "pending": _l("Payment pending"), "requires_action": _l("Payment needs authentication"),
    "failed": _l("Payment failed"), "held": _l("Paid, held by the platform"),
    "released": _l("Released to the seller"), "refunded": _l("Refunded to the buyer"),
    "canceled": _l("Payment cancelled"),
}
OFFER_LABELS = {"open": _l("On the table"), "superseded": _l("Countered"), "accepted": _l("Accepted"),
                "withdrawn": _l("Withdrawn")}
# Fields offered as a choice: field name → {value: label} (the schema's OneOf values).
SELECT_LABELS = {
    "payment_plan": {"upfront": _l("The upfront fee only"), "schedule": _l("Every item of the payment schedule")},
    "royalty_period": {"": _l("No royalty reports"), "quarter": _l("Quarterly"), "half_year": _l("Half-yearly"),
                       "year": _l("Yearly")},
    "method": {"manual": _l("Manual (the seller repaid by bank)"),
               "stripe_transfer": _l("Stripe transfer reversal")},
}
TEXTAREAS = {"reason", "text", "plan", "results", "note", "conditions", "summary", "request_text"}
MILESTONE_ROWS = 3


def action_label(service, name: str) -> str:
    """The UI name of an event's action (``create`` has no action class)."""
    return _("Opened") if name == "create" else str(service.machine[name].label)


def workflow_pages(bp, service, *, list_template: str, item_template: str, context=lambda identity, obj: {},
                   list_context=lambda identity: {}):
    """Add the list, item, action and document routes of ``service`` to blueprint ``bp``; ``context`` and
    ``list_context`` supply the item and list pages' extra template variables."""

    def render_item(obj_id: int, errors: dict | None = None, failed: str | None = None, code: int = 200):
        """The item page; ``failed`` names the form whose ``errors`` to show."""
        identity = current_identity()
        obj = service.get(identity, obj_id)
        return render_template(
            item_template, obj=obj, service=service, role=service.role_of(identity, obj),
            events=service.events_of(obj), next_actions=service.next_actions(identity, obj),
            payment=payments.payment_of(obj), errors=errors or {}, failed=failed, form=request.form,
            field_labels=FIELD_LABELS, mode_labels=MODE_LABELS, role_labels=ROLE_LABELS,
            payment_labels=PAYMENT_LABELS, offer_labels=OFFER_LABELS,
            action_label=lambda name: action_label(service, name), milestone_rows=MILESTONE_ROWS,
            textareas=TEXTAREAS, select_labels=SELECT_LABELS, **context(identity, obj),
        ), code

    @bp.route("/")
    @login_required
    def index():
        """The caller's organisation's subjects, most recently changed first."""
        identity = current_identity()
        page = max(1, request.args.get("page", 1, type=int) or 1)
        rows, total = service.list(identity, page=page, per_page=PER_PAGE)
        return render_template(list_template, rows=rows, total=total, page=page, per_page=PER_PAGE, service=service,
                               role_of=lambda obj: service.role_of(identity, obj), **list_context(identity))

    @bp.route("/<int:obj_id>")
    @login_required
    def item(obj_id):
        """One subject's page."""
        return render_item(obj_id)

    @bp.route("/<int:obj_id>/actions/<action>", methods=["POST"])
    @login_required
    def run_action(obj_id, action):
        """Run one action from its form; bad input re-renders the page with the form's messages (422)."""
        identity = current_identity()
        try:
            obj = service.execute_action(identity, obj_id, action, form_data(request.form, request.files))
        except ValidationFailed as error:
            return render_item(obj_id, errors=error.errors, failed=action, code=422)
        except (Conflict, PermissionDenied) as error:
            flash(error.message, "error")
            return redirect(url_for(f"{bp.name}.item", obj_id=obj_id), code=303)
        if action == "start_payment":
            return redirect(url_for("payments.pay", payment_id=payments.payment_of(obj).id,
                                    next=url_for(f"{bp.name}.item", obj_id=obj_id)), code=303)
        flash(_("Done: %(action)s", action=action_label(service, action)), "success")
        return redirect(url_for(f"{bp.name}.item", obj_id=obj_id), code=303)

    @bp.route("/<int:obj_id>/documents/<int:document_id>")
    @login_required
    def document(obj_id, document_id):
        """Download one of the subject's PDFs."""
        found, path = service.document(current_identity(), obj_id, document_id)
        return send_pdf(path, found.filename)

    return render_item
