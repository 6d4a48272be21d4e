"""REST API of payments under /api/v1/payments: a payment's status, the test provider's confirmation, the
Stripe webhook, and the platform admins' payout desk and connected accounts."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.core.http import (
    API_PREFIX,
    PAGINATION_HEADERS,
    ApiErrorSchema,
    paginated,
    require_login,
    require_platform_admin,
)
from app.core.identity import current_identity
from app.payments import service
from app.payments.providers import verify_webhook
from app.payments.schemas import (
    PaymentAccountSchema,
    PayoutQueryArgs,
    PayoutSchema,
    RecordPayoutSchema,
    TestConfirmSchema,
    WebhookReceivedSchema,
    payment_schema,
)

blp = Blueprint("payments_api", __name__, url_prefix=f"{API_PREFIX}/payments",
                description="Payments held by the platform, refunds, payouts and the Stripe webhook")


@blp.route("/webhook")
class Webhook(MethodView):
    @blp.response(200, WebhookReceivedSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="Bad signature or body: nothing is recorded")
    def post(self):
        """Stripe webhook: verified with ``STRIPE_WEBHOOK_SECRET``; each event id is applied once."""
        event = verify_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
        return {"received": True, "outcome": service.handle_event(event)}


@blp.route("/<int:payment_id>")
class PaymentItem(MethodView):
    @require_login
    @blp.response(200, payment_schema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="Missing, or not your organisation's payment")
    def get(self, payment_id):
        """A payment's status, for its buyer, its seller and platform admins."""
        return service.get_payment(current_identity(), payment_id)


@blp.route("/<int:payment_id>/sync")
class PaymentSync(MethodView):
    @require_login
    @blp.response(200, payment_schema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="A test payment (nothing to synchronise)")
    def post(self, payment_id):
        """Read the payment's state from Stripe and apply it (after Stripe.js confirmed it; a missed webhook)."""
        return service.sync_payment(current_identity(), payment_id)


@blp.route("/<int:payment_id>/test-confirm")
class PaymentTestConfirm(MethodView):
    @require_login
    @blp.arguments(TestConfirmSchema)
    @blp.response(200, payment_schema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Not a test payment, or not open any more")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Not a valid card number")
    def post(self, args, payment_id):
        """TEST PROVIDER ONLY (no money moves): pay with a test card, as Stripe's test cards behave."""
        return service.confirm_test_payment(current_identity(), payment_id, card_number=args["card_number"],
                                            authenticated=args["authenticated"])


@blp.route("/payouts")
class Payouts(MethodView):
    @require_platform_admin
    @blp.arguments(PayoutQueryArgs, location="query")
    @blp.response(200, PayoutSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """Platform admins: payouts to sellers, oldest first; ``status=pending`` is the queue to record."""
        rows, total = service.list_payouts(current_identity(), status=args.get("status"), page=args["page"],
                                           per_page=args["per_page"])
        return paginated(rows, total, args["page"], args["per_page"])


@blp.route("/payouts/<int:payout_id>/record")
class PayoutRecord(MethodView):
    @require_platform_admin
    @blp.arguments(RecordPayoutSchema)
    @blp.response(200, PayoutSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Recorded already")
    def post(self, args, payout_id):
        """Platform admins: record the bank reference of a manual payout (the seller is told)."""
        return service.record_manual_payout(current_identity(), payout_id, args["reference"])


@blp.route("/accounts/<int:org_id>")
class ConnectedAccount(MethodView):
    @require_platform_admin
    @blp.arguments(PaymentAccountSchema)
    @blp.response(200, PaymentAccountSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Not a Stripe account id, or another org's")
    def put(self, args, org_id):
        """Platform admins: the organisation's Stripe Connect account; its payouts then go by transfer."""
        return service.set_connected_account(current_identity(), org_id, args["stripe_account_id"])


@blp.route("/balances/<int:org_id>")
class Balances(MethodView):
    @require_login
    @blp.response(200, description="Balance per ledger account, in minor units (fen)")
    # A map of account → amount has no marshmallow schema: document it, the resource returns it as it is.
    @blp.doc(responses={200: {"content": {"application/json": {
        "schema": {"type": "object", "additionalProperties": {"type": "integer"}}}}}})
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not your organisation")
    def get(self, org_id):
        """An organisation's ledger balances per account (its members and platform admins)."""
        return service.org_balances(current_identity(), org_id)
