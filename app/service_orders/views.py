"""Service-order pages: my orders, one order (timeline, quote, report, payment, the forms of what I may do next)
and ordering a provider's service offer (``/service-orders/new?offer_id=``)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.errors import ValidationFailed
from app.core.identity import current_identity
from app.service_offers.service import service_offers_service
from app.service_orders.policy import service_order_policy
from app.service_orders.service import service_orders_service
from app.transactions.pages import workflow_pages

bp = Blueprint("service_orders", __name__, url_prefix="/service-orders")
CHOOSER_OFFERS = 50  # newest published offers on /service-orders/new; the search page finds the others

workflow_pages(bp, service_orders_service, list_template="service_orders/index.html",
               item_template="service_orders/order.html", context=lambda identity, obj: {"choices": {}})


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The order form of one service offer; without ``offer_id``, the published offers to choose from."""
    identity = current_identity()
    if request.method == "POST":  # who may order: the policy, before anything else is read
        service_order_policy.require("open", identity, message="log in as a member of the organisation that orders")
    offer_id = request.values.get("offer_id", type=int)
    if offer_id is None:
        offers, total = service_offers_service.list(identity, status="approved", per_page=CHOOSER_OFFERS)
        return render_template("service_orders/choose.html", offers=service_offers_service.dump_many(identity, offers),
                               total=total)
    offer = service_offers_service.get(identity, offer_id)
    errors, code = {}, 200
    if request.method == "POST":
        try:
            order = service_orders_service.create(identity, {"offer_id": offer.id,
                                                             "request_text": request.form.get("request_text", "")})
        except ValidationFailed as error:
            errors, code = error.errors, 422
        else:
            flash(_("Your request was sent to the provider."), "success")
            return redirect(url_for("service_orders.item", obj_id=order.id), code=303)
    return render_template("service_orders/new.html", offer=offer, errors=errors, form=request.form), code
