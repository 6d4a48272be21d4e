"""Payment pages: the buyer's pay page (Stripe.js, or the clearly labelled TEST provider's card form), the
Stripe.js return page, and the platform admins' payout desk (pending payouts and their bank references)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.core.errors import Conflict, ValidationFailed
from app.core.identity import current_identity
from app.payments import service
from app.payments.models import PayoutStatus
from app.payments.policy import payment_policy
from app.security.redirects import local_url

bp = Blueprint("payments", __name__, url_prefix="/payments", template_folder="templates")
PAYOUTS_PER_PAGE = 50
LABELS = {
    "pending": _l("Awaiting payment"), "requires_action": _l("Needs card authentication"),
    "failed": _l("Failed"), "held": _l("Paid, held by the platform"), "released": _l("Released to the seller"),
    "refunded": _l("Refunded"), "canceled": _l("Cancelled"),
}
PAYOUT_LABELS = {"pending": _l("Waiting for a transfer"), "paid": _l("Paid out"),
                 "stripe_transfer": _l("Stripe Connect transfer"), "manual": _l("Bank transfer")}


@bp.context_processor
def labels() -> dict:
    """Display names of payment and payout states (money goes through the ``money`` filter)."""
    return {"payment_labels": LABELS, "payout_labels": PAYOUT_LABELS}


def _local_next() -> str | None:
    """The ``next`` target when it is a path on this site (never an open redirect)."""
    return local_url(request.values.get("next"))


@bp.route("/<int:payment_id>/pay", methods=["GET", "POST"])
@login_required
def pay(payment_id):
    """The pay page; a POST is the test provider's card form (no money moves)."""
    identity = current_identity()
    payment = service.get_payment(identity, payment_id)
    errors, code = {}, 200
    if request.method == "POST":
        try:
            payment = service.confirm_test_payment(identity, payment_id,
                                                   card_number=request.form.get("card_number", ""),
                                                   authenticated=request.form.get("authenticated") == "1")
        except ValidationFailed as error:
            errors, code = {key: [str(m) for m in value] for key, value in error.errors.items()}, 422
        except Conflict as error:
            flash(str(error.message), "error")
            code = 409
        else:
            if payment.status.value == "held" and _local_next():
                return redirect(_local_next())
            return redirect(url_for("payments.pay", payment_id=payment_id, next=_local_next()))
    return render_template(
        "payments/pay.html", payment=payment, errors=errors, is_buyer=payment_policy.allows("pay", identity, payment),
        next=_local_next(), stripe_js=current_app.config["STRIPE_JS_URL"],
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
    ), code


@bp.route("/<int:payment_id>/return")
@login_required
def stripe_return(payment_id):
    """Where Stripe.js sends the buyer after confirming: read the state from Stripe, then show it."""
    payment = service.sync_payment(current_identity(), payment_id)
    if payment.status.value == "held" and _local_next():
        return redirect(_local_next())
    return redirect(url_for("payments.pay", payment_id=payment_id, next=_local_next()))


@bp.route("/admin/payouts", methods=["GET", "POST"])
@login_required
def payouts():
    """Platform admins: payouts waiting for a bank transfer, and recording a transfer's reference."""
    identity = current_identity()
    errors, code = {}, 200
    if request.method == "POST":
        payout_id = request.form.get("payout_id", type=int)
        try:
            service.record_manual_payout(identity, payout_id or 0, request.form.get("reference", ""))
        except ValidationFailed as error:
            errors, code = {payout_id: [str(m) for m in error.errors.get("reference", [])]}, 422
        except Conflict as error:
            flash(str(error.message), "error")
            code = 409
        else:
            flash(_("Payout recorded."), "success")
            return redirect(url_for("payments.payouts"))
    status = request.args.get("status", PayoutStatus.pending.value)
    rows, total = service.list_payouts(identity, status=status if status in PayoutStatus.__members__ else None,
                                       per_page=PAYOUTS_PER_PAGE)
    return render_template("payments/payouts.html", payouts=rows, total=total, status=status, errors=errors), code
