"""Marshmallow schemas of the payments API: one per resource, plus the request bodies they accept."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.http import PageArgs, ReaderSchema
from app.payments.models import PayoutStatus
from app.payments.policy import payment_policy


class RefundSchema(Schema):
    id = fields.Integer(dump_only=True)
    amount = fields.Integer()
    fee_part = fields.Integer(metadata={"description": "Part of the refund taken from the platform fee"})
    reason = fields.String()
    created_at = fields.DateTime()


class PaymentSchema(ReaderSchema):
    """A payment attempt; ``client_secret`` only for the buyer (it lets Stripe.js confirm the payment)."""

    id = fields.Integer()
    payable_kind = fields.String()
    payable_id = fields.Integer()
    buyer_org_id = fields.Integer()
    seller_org_id = fields.Integer()
    mode = fields.String(allow_none=True)
    amount = fields.Integer(metadata={"description": "Seller's share in minor units (fen)"})
    fee = fields.Integer(metadata={"description": "Platform fee in minor units"})
    total = fields.Integer(metadata={"description": "What the buyer pays: amount + fee"})
    currency = fields.String()
    provider = fields.String(metadata={"description": '"stripe", or "test" for the test provider (no money moves)'})
    provider_ref = fields.String(allow_none=True, metadata={
        "description": "The PaymentIntent id (null until the provider has opened it)"})
    client_secret = fields.String(allow_none=True)
    status = fields.Function(lambda p: p.status.value)
    failure_code = fields.String(allow_none=True)
    failure_message = fields.String(allow_none=True)
    refunded_amount = fields.Integer()
    refunds = fields.List(fields.Nested(RefundSchema))
    created_at = fields.DateTime()
    held_at = fields.DateTime(allow_none=True)
    released_at = fields.DateTime(allow_none=True)


class WebhookReceivedSchema(Schema):
    """The answer to Stripe: the event was verified, and what applying it did."""

    received = fields.Boolean()
    outcome = fields.String(metadata={"description": "What the event did (or that it was seen before)"})


class PayoutSchema(Schema):
    id = fields.Integer()
    payment_id = fields.Integer()
    org_id = fields.Integer()
    amount = fields.Integer()
    currency = fields.String()
    method = fields.Function(lambda p: p.method.value)
    status = fields.Function(lambda p: p.status.value)
    stripe_account_id = fields.String(allow_none=True)
    transfer_ref = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    failure_message = fields.String(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class PaymentAccountSchema(Schema):
    org_id = fields.Integer(dump_only=True)
    stripe_account_id = fields.String(required=True, validate=validate.Length(min=6, max=64))


class TestConfirmSchema(Schema):
    """The test provider's card form."""

    __test__ = False  # not a pytest test class
    card_number = fields.String(load_default="4242424242424242", validate=validate.Length(max=40))
    authenticated = fields.Boolean(load_default=False,
                                   metadata={"description": "Complete the 3-D Secure step of a test card needing it"})


class RecordPayoutSchema(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200),
                              metadata={"description": "The bank transfer's reference"})


class PayoutQueryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([s.value for s in PayoutStatus]))


def secret_hidden_from(identity, payment) -> tuple[str, ...]:
    """The client secret is for the buyer's eyes only (those the payment policy lets pay)."""
    return () if payment_policy.allows("pay", identity, payment) else ("client_secret",)


# The API's response schema: the payment as the request's identity may see it (others get a null secret).
payment_schema = PaymentSchema(hide=secret_hidden_from, blank=True)
