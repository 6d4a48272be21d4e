"""Deal pages: my deals, one deal (timeline, patents as the NDA allows, offers, tests, contract, payment, thread
and the forms of what I may do next), opening a deal from a patent or a demand's matches, and the platform
admins' deal desk (contracts to approve, disputes, payouts to record)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.identity import current_identity
from app.deals.models import DealStatus
from app.deals.policy import deal_policy
from app.deals.service import deals_service
from app.demands.service import demands_service
from app.matching import service as matching
from app.patents.service import patents_service
from app.payments import service as payments
from app.service_offers.models import ServiceKind
from app.transactions.desk import disputes as desk_disputes
from app.transactions.pages import workflow_pages

bp = Blueprint("deals", __name__, url_prefix="/deals")



def _deal_context(identity, deal) -> dict:
    return {
        "patents": deals_service.patents_of(identity, deal),
        "offers": deal.offers,
        "messages": deals_service.messages(identity, deal.id) if identity.user_id else [],
        "choices": {
            "book_pilot": deals_service.bookable_services(identity, ServiceKind.pilot),
            "order_inspection": deals_service.bookable_services(identity, ServiceKind.inspection),
        },
    }


def _list_context(identity) -> dict:
    """Only buyers start deals (from a patent page or a demand's matches): sellers are not told how."""
    return {"buyer_hint": not patents_service.policy.allows("create", identity)}


render_deal = workflow_pages(bp, deals_service, list_template="deals/index.html", item_template="deals/deal.html",
                             context=_deal_context, list_context=_list_context)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Open a deal: the inquiry form for a patent (``?patent_id=``), or a demand's matched patents (``?demand_id=``)."""
    identity = current_identity()
    values = request.values
    patent_id = values.get("patent_id", type=int)
    demand_id = values.get("demand_id", type=int)
    errors, code = {}, 200
    if request.method == "POST":
        data = {"patent_id": patent_id, "demand_id": demand_id, "message": values.get("message", "").strip()}
        try:
            deal = deals_service.create(identity, {k: v for k, v in data.items() if v not in (None, "")})
        except ValidationFailed as error:
            errors, code = error.errors, 422
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("deals.item", obj_id=error.extra["deal_id"]), code=303)
        else:
            flash(_("Your inquiry was sent to the seller."), "success")
            return redirect(url_for("deals.item", obj_id=deal.id), code=303)
    patent = _readable(patents_service, identity, patent_id)
    demand = _readable(demands_service, identity, demand_id)
    if patent is None and demand is None:
        abort(404)
    matches = matching.rank(identity, matching.DEMAND_TO_PATENTS, demand, limit=10) if demand and not patent else []
    return render_template("deals/new.html", patent=patent, demand=demand, matches=matches, errors=errors,
                           message=values.get("message", "")), code


def _readable(service, identity, listing_id):
    if listing_id is None:
        return None
    try:
        return service.get(identity, listing_id)
    except NotFound:
        abort(404)


@bp.route("/<int:obj_id>/messages", methods=["POST"])
@login_required
def post_message(obj_id):
    """Add a message (with PDF attachments) to the thread."""
    try:
        deals_service.post_message(current_identity(), obj_id, request.form.get("body", "").strip(),
                                   request.files.getlist("files"))
    except ValidationFailed as error:
        return render_deal(obj_id, errors=error.errors, failed="message", code=422)
    except PermissionDenied as error:
        flash(error.message, "error")
    return redirect(url_for("deals.item", obj_id=obj_id, _anchor="thread"), code=303)


@bp.route("/desk")
@login_required
def desk():
    """Platform admins: contracts to approve, disputes to decide, payouts to record."""
    identity = current_identity()
    if not deal_policy.allows("use_desk", identity):
        abort(403)
    contracts, _total = deals_service.list(identity, statuses=[DealStatus.contract_review], everyone=True,
                                           per_page=100)
    payouts, _total = payments.list_payouts(identity, status="pending", per_page=100)
    return render_template("deals/desk.html", contracts=contracts, disputes=desk_disputes(identity), payouts=payouts)
