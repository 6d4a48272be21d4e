"""Call pages: the list with countdowns (``/calls``), a call's page with its NDA gate, writing and revising a
call (from a demand or blank), the proposal form, the enterprise's evaluation board, and "my proposals" with
each proposal's page and thread (``/calls/proposals``, the engine's generic pages). Views parse the form, call
one service method and render."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.calls.actions import CALL_MACHINE, DECLINE_LABELS
from app.calls.models import CallStatus, ProposalStatus, aware
from app.calls.policy import PROPOSER_KINDS
from app.calls.schemas import DECLINE_CODES
from app.calls.service import calls_service, proposals_service
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.extensions import db
from app.core.formatting import field_label, format_indicator, to_display_zone
from app.core.identity import current_identity
from app.core.input import form_data
from app.core.labels import VALUE_LABELS
from app.core.models import utcnow
from app.demands.models import TechDemand
from app.manage.views import message_text
from app.transactions.pages import workflow_pages

bp = Blueprint("calls", __name__, url_prefix="/calls")
proposals_bp = Blueprint("call_proposals", __name__, url_prefix="/calls/proposals")

PER_PAGE = 20
CRITERIA_ROWS = 5
INDICATOR_ROWS = 3
MILESTONE_ROWS = 4
LIST_FIELDS = ("keywords", "eligible_regions")  # comma-separated in the form


def remaining(call) -> dict | None:
    """Days, hours and minutes until the deadline (None once it passed), for the countdowns."""
    seconds = int((aware(call.deadline) - utcnow()).total_seconds())
    if seconds <= 0:
        return None
    return {"days": seconds // 86400, "hours": seconds % 86400 // 3600, "minutes": seconds % 3600 // 60}


@bp.app_context_processor
def _helpers():
    return {"call_remaining": remaining}


def call_form_data(form) -> dict:
    """A call's input from its HTML form: rows of criteria and indicators, comma-separated lists, the deadline
    as China time."""
    data = form_data(form, {})
    data["confidential"] = form.get("confidential") == "on"
    data["eligible_kinds"] = form.getlist("eligible_kinds")
    for name in LIST_FIELDS:
        data[name] = [part.strip() for part in form.get(name, "").replace("，", ",").split(",") if part.strip()]
    return data


def call_form_defaults(call=None, demand=None) -> dict:
    """The form's values: a call being revised, a demand it starts from, or a blank call."""
    if call is not None:
        values = {c.key: getattr(call, c.key) for c in call.__table__.columns}
        values["deadline"] = to_display_zone(call.deadline).strftime("%Y-%m-%dT%H:%M")
        return values
    values = {"eligible_kinds": list(PROPOSER_KINDS), "criteria": [
        {"name": _("Technical approach"), "weight": 50}, {"name": _("Team and track record"), "weight": 20},
        {"name": _("Price"), "weight": 30}]}
    if demand is not None:
        values.update(demand_id=demand.id, title=demand.title, summary=demand.description,
                      industry=demand.industry, region=demand.region, keywords=demand.keywords,
                      budget_min=demand.budget_min, budget_max=demand.budget_max,
                      indicators=[{"name": i.name, "target": format_target(i)} for i in demand.indicators])
    return values


def format_target(indicator) -> str:
    """A demand indicator's target as text (``≥ 280 Wh/kg``)."""
    comparator = getattr(indicator.comparator, "value", indicator.comparator)
    return format_indicator({"comparator": comparator, "value": indicator.value,
                             "value_max": indicator.value_max, "unit": indicator.unit})


def render_call_form(values: dict, errors: dict, *, call=None, code: int = 200):
    return render_template("calls/form.html", values=values, errors=errors, call=call, kinds=PROPOSER_KINDS,
                           kind_labels=VALUE_LABELS["org_kind"], criteria_rows=CRITERIA_ROWS,
                           indicator_rows=INDICATOR_ROWS), code


# ---------------------------------------------------------------- calls


@bp.route("/")
def index():
    """Published calls (open ones first, soonest deadline first), searchable and filterable."""
    identity = current_identity()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    args = {key: (request.args.get(key) or "").strip()[:200] or None for key in ("q", "industry", "region")}
    mine = request.args.get("mine") == "1" and identity.org_id is not None
    open_only = request.args.get("open") == "1"
    # Platform admins find the calls waiting for them here (the policy shows others only published calls).
    pending = request.args.get("pending") == "1" and calls_service.policy.allows("list_all", identity)
    rows, total = calls_service.search(identity, **args, open_only=open_only, mine=mine, page=page,
                                       per_page=PER_PAGE, status=CallStatus.pending.value if pending else None)
    return render_template("calls/index.html", rows=rows, total=total, page=page, per_page=PER_PAGE, args=args,
                           mine=mine, open_only=open_only, pending=pending, service=calls_service,
                           may_create=calls_service.policy.allows("create", identity))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a call, blank or from one of the enterprise's demands (``?demand_id=``)."""
    identity = current_identity()
    calls_service.policy.require("create", identity, message=_l("calls for solutions are published by enterprises"))
    if request.method == "POST":
        try:
            call = calls_service.create(identity, call_form_data(request.form))
        except ValidationFailed as error:
            return render_call_form(request.form, error.errors, code=422)
        flash(_("Your call was sent to the platform for review."), "success")
        return redirect(url_for("calls.item", call_id=call.id), code=303)
    demand = None
    demand_id = request.args.get("demand_id", type=int)
    if demand_id:
        demand = db.session.get(TechDemand, demand_id)
        if demand is None or demand.org_id != identity.org_id:
            raise NotFound("no such demand of your organisation")
    return render_call_form(call_form_defaults(demand=demand), {})


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(call_id):
    """Revise a call sent back for revision (整改) and resubmit it."""
    identity = current_identity()
    call = calls_service.get(identity, call_id)
    if request.method == "POST":
        try:
            calls_service.execute_action(identity, call_id, "resubmit", call_form_data(request.form))
        except ValidationFailed as error:
            return render_call_form(request.form, error.errors, call=call, code=422)
        except (Conflict, PermissionDenied) as error:
            flash(message_text(error.message), "error")
        return redirect(url_for("calls.item", call_id=call_id), code=303)
    return render_call_form(call_form_defaults(call=call), {}, call=call)


@bp.route("/<int:call_id>")
def item(call_id):
    """A call's page: the problem (behind the NDA when confidential), terms, countdown and what the reader may
    do (moderate, propose, evaluate)."""
    identity = current_identity()
    call = calls_service.get(identity, call_id)
    mine = []
    if identity.org_id is not None:
        mine = [p for p in proposals_service.list(identity, call_id=call.id)[0]
                if p.seller_org_id == identity.org_id]
    return render_template(
        "calls/call.html", call=call, service=calls_service, next_actions=calls_service.next_actions(identity, call),
        details_visible=calls_service.may_read_details(identity, call), nda=calls_service.nda_of(call),
        proposal_count=calls_service.proposal_count(identity, call), my_proposals=mine,
        may_propose=(call.status == CallStatus.published and not call.deadline_passed
                     and calls_service.policy.allows("propose", identity) and identity.org_kind in call.eligible_kinds),
        is_owner=identity.org_id == call.buyer_org_id, events=calls_service.events_of(call),
        kind_labels=VALUE_LABELS["org_kind"], action_label=action_label, proposal_label=proposals_service.status_label,
    )


def errors_text(error: ValidationFailed) -> str:
    """A form-less action's field messages as one flash, in the reader's language."""
    return "; ".join(f"{field_label(key)}: {message_text(value)}" for key, value in error.errors.items())


def action_label(name: str) -> str:
    return _("Opened") if name == "create" else str(CALL_MACHINE[name].label)


@bp.route("/<int:call_id>/nda", methods=["POST"])
@login_required
def accept_nda(call_id):
    """Accept the call's NDA from its page."""
    try:
        calls_service.accept_nda(current_identity(), call_id, {"agree": request.form.get("agree") == "true"})
    except ValidationFailed:
        flash(_("Tick the box to accept the NDA."), "error")
    except (Conflict, PermissionDenied) as error:
        flash(message_text(error.message), "error")
    return redirect(url_for("calls.item", call_id=call_id), code=303)


@bp.route("/<int:call_id>/actions/<action>", methods=["POST"])
@login_required
def run_action(call_id, action):
    """A call action from its page or the evaluation board (moderation, withdrawal, award, closing)."""
    try:
        calls_service.execute_action(current_identity(), call_id, action, form_data(request.form, request.files))
    except ValidationFailed as error:
        flash(errors_text(error), "error")
    except (Conflict, PermissionDenied) as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("Done: %(action)s", action=action_label(action)), "success")
    target = "calls.board" if action in ("award", "close") else "calls.item"
    return redirect(url_for(target, call_id=call_id), code=303)


# ---------------------------------------------------------------- proposing


def proposal_form_data(form, files) -> dict:
    data = form_data(form, files)
    data.pop("call_id", None)
    return data


@bp.route("/<int:call_id>/propose", methods=["GET", "POST"])
@login_required
def propose(call_id):
    """The proposal form: a new proposal, or (``?proposal_id=``) revising one's own until the deadline."""
    identity = current_identity()
    call = calls_service.get(identity, call_id)
    proposal_id = request.values.get("proposal_id", type=int)
    proposal = proposals_service.get(identity, proposal_id) if proposal_id else None
    if proposal is not None and proposal.call_id != call.id:
        raise NotFound("no such proposal of this call")
    errors, code = {}, 200
    if request.method == "POST":
        data = proposal_form_data(request.form, request.files)
        try:
            if proposal is None:
                proposal = proposals_service.create(identity, {**data, "call_id": call.id})
                flash(_("Your proposal was submitted. It stays sealed until the deadline."), "success")
            else:
                proposals_service.execute_action(identity, proposal.id, "revise", data)
                flash(_("Your proposal was updated."), "success")
        except ValidationFailed as error:
            errors, code = error.errors, 422
        except (Conflict, PermissionDenied) as error:
            flash(message_text(error.message), "error")
            return redirect(url_for("calls.item", call_id=call.id), code=303)
        else:
            return redirect(url_for("call_proposals.item", obj_id=proposal.id), code=303)
    values = request.form if request.method == "POST" else (proposal_values(proposal) if proposal else {})
    return render_template("calls/propose.html", call=call, proposal=proposal, values=values, errors=errors,
                           milestone_rows=MILESTONE_ROWS), code


def proposal_values(proposal) -> dict:
    """A proposal's fields as the form's flat values (``milestones-0-title`` …)."""
    values = {key: getattr(proposal, key) for key in ("approach", "team", "trl_now", "trl_target", "price")}
    for index, milestone in enumerate(proposal.milestones):
        values.update({f"milestones-{index}-{key}": value for key, value in milestone.items()})
    return values


# ---------------------------------------------------------------- evaluation


@bp.route("/<int:call_id>/board")
@login_required
def board(call_id):
    """The enterprise's evaluation board: every proposal with its scores, shortlist, declines and the award."""
    identity = current_identity()
    call = calls_service.get(identity, call_id)
    if not calls_service.policy.allows("evaluate", identity, call):
        raise NotFound(f"call {call_id} not found")
    rows = proposals_service.list(identity, call_id=call.id, per_page=100,
                                  everyone=True)[0] if call.deadline_passed else []
    rows = sorted(rows, key=lambda p: (p.status != ProposalStatus.shortlisted, -(p.weighted_score or Decimal(-1))))
    return render_template("calls/board.html", call=call, rows=rows, service=calls_service,
                           proposal_service=proposals_service, decline_labels=DECLINE_LABELS,
                           decline_codes=DECLINE_CODES, available=lambda p: {
                               a.name for a in proposals_service.next_actions(identity, p)},
                           call_actions={a.name for a in calls_service.next_actions(identity, call)})


@bp.route("/<int:call_id>/board/<int:proposal_id>/<action>", methods=["POST"])
@login_required
def evaluate(call_id, proposal_id, action):
    """Score, shortlist or decline one proposal from the board (scores arrive as ``score-<criterion index>``)."""
    identity = current_identity()
    call = calls_service.get(identity, call_id)
    data = form_data(request.form, {})
    if action == "score":
        data = {"scores": {c["name"]: request.form.get(f"score-{i}", type=int)
                           for i, c in enumerate(call.criteria) if request.form.get(f"score-{i}", type=int) is not None}}
    try:
        proposal = proposals_service.get(identity, proposal_id)
        if proposal.call_id != call.id:
            raise NotFound("no such proposal of this call")
        proposals_service.execute_action(identity, proposal_id, action, data)
    except ValidationFailed as error:
        flash(errors_text(error), "error")
    except (Conflict, PermissionDenied) as error:
        flash(message_text(error.message), "error")
    else:
        flash(_("Done: %(action)s", action=str(proposals_service.machine[action].label)), "success")
    return redirect(url_for("calls.board", call_id=call_id, _anchor=f"proposal-{proposal_id}"), code=303)


# ---------------------------------------------------------------- my proposals, one proposal, its thread

render_proposal = workflow_pages(
    proposals_bp, proposals_service, list_template="calls/proposals.html", item_template="calls/proposal.html",
    context=lambda identity, obj: {"choices": {}, "decline_labels": DECLINE_LABELS,
                                   "messages": proposals_service.messages(identity, obj.id)},
)


@proposals_bp.route("/<int:obj_id>/messages", methods=["POST"])
@login_required
def post_message(obj_id):
    """Ask or answer in the proposal's thread."""
    try:
        proposals_service.post_message(current_identity(), obj_id, form_data(request.form, {}))
    except ValidationFailed as error:
        return render_proposal(obj_id, errors=error.errors, failed="message", code=422)
    except (Conflict, PermissionDenied) as error:
        flash(message_text(error.message), "error")
    return redirect(url_for("call_proposals.item", obj_id=obj_id, _anchor="thread"), code=303)
