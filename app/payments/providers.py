"""Payment providers behind one small interface: Stripe (official SDK) and the clearly labelled test provider.

The service speaks in :class:`IntentState` — a provider-neutral snapshot of a PaymentIntent using Stripe's
status words — so a Stripe webhook, a Stripe.js return and the test provider's pay page all run the same code.
With no ``STRIPE_SECRET_KEY`` (the embedded default) new payments use :class:`TestProvider`.

Stripe settings come from the app config per call (``StripeClient`` instances, never the SDK's global
``stripe.api_key``), so tests and apps with different settings never leak into each other.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import stripe
from flask import current_app

from app.core.errors import Conflict, ServiceError, ValidationFailed

# PaymentIntent statuses meaning "the buyer's money is authorised or captured".
AUTHORISED = frozenset({"requires_capture", "succeeded"})


class ProviderError(ServiceError):
    """The payment provider refused or failed a call (HTTP 502); ``code`` is the provider's error code.

    ``retryable`` says the provider did not decide (unreachable, rate-limited, its own error): the same call, made
    again with the same idempotency key, may succeed.
    """

    status = 502

    def __init__(self, message: str, *, retryable: bool = False, **extra):
        super().__init__(message, **extra)
        self.retryable = retryable


# Stripe errors where Stripe did not decide: the call may be made again with its idempotency key.
RETRYABLE_STRIPE_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


def _provider_error(error: stripe.StripeError) -> ProviderError:
    message = error.user_message or str(error) or type(error).__name__
    return ProviderError(f"Stripe: {message}", code=error.code,
                         retryable=isinstance(error, RETRYABLE_STRIPE_ERRORS))


class BadWebhook(ServiceError):
    """A webhook whose signature or body does not verify (HTTP 400); nothing is recorded."""

    status = 400


@dataclass(frozen=True)
class IntentState:
    """What the provider says about one PaymentIntent."""

    id: str
    status: str
    client_secret: str | None = None
    charge_id: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None

    @property
    def authorised(self) -> bool:
        return self.status in AUTHORISED

    @property
    def failed(self) -> bool:
        return self.status == "requires_payment_method" and bool(self.failure_code or self.failure_message)

    @classmethod
    def from_stripe(cls, intent) -> IntentState:
        """From a ``stripe.PaymentIntent`` (an API response or an event's ``data.object``)."""
        intent = intent.to_dict()  # stripe 16 objects are not dicts
        charge = intent.get("latest_charge")
        # The API expands nothing by default (an id); localstripe and expanded responses give the object.
        charge_id = charge if isinstance(charge, str) or charge is None else charge.get("id")
        error = intent.get("last_payment_error")
        return cls(
            id=intent["id"],
            status=intent["status"],
            client_secret=intent.get("client_secret"),
            charge_id=charge_id,
            failure_code=(error.get("decline_code") or error.get("code")) if error else None,
            failure_message=error.get("message") if error else None,
        )


class StripeProvider:
    """PaymentIntents with manual capture, refunds and Connect transfers through ``stripe.StripeClient``."""

    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None, transfer_api_base: str | None = None):
        self.client = self._client(api_key, api_base)
        # Connect transfers may go elsewhere: tests serve recorded Stripe responses there (localstripe has no
        # Connect); in production both are api.stripe.com.
        self.transfer_client = self._client(api_key, transfer_api_base or api_base)

    @staticmethod
    def _client(api_key: str, api_base: str | None) -> stripe.StripeClient:
        return stripe.StripeClient(api_key, base_addresses={"api": api_base} if api_base else None,
                                   max_network_retries=2)

    @staticmethod
    def _call(func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except stripe.StripeError as error:
            raise _provider_error(error) from error

    def create_intent(self, *, amount: int, currency: str, metadata: dict, idempotency_key: str) -> IntentState:
        """A PaymentIntent the buyer confirms with Stripe.js; capture waits until the platform accepts it."""
        intent = self._call(
            self.client.v1.payment_intents.create,
            params={"amount": amount, "currency": currency, "capture_method": "manual", "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
        return IntentState.from_stripe(intent)

    def retrieve_intent(self, intent_id: str) -> IntentState:
        return IntentState.from_stripe(self._call(self.client.v1.payment_intents.retrieve, intent_id))

    def capture(self, intent_id: str, *, amount: int, idempotency_key: str) -> IntentState:
        """Capture ``amount``; an intent captured already (a retried call) is returned as it is."""
        try:
            intent = self.client.v1.payment_intents.capture(
                intent_id, params={"amount_to_capture": amount}, options={"idempotency_key": idempotency_key}
            )
        except stripe.InvalidRequestError:
            state = self.retrieve_intent(intent_id)
            if state.status == "succeeded":
                return state
            raise ProviderError(f"Stripe: the payment {intent_id} could not be captured ({state.status})") from None
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        return IntentState.from_stripe(intent)

    def cancel(self, intent_id: str, *, idempotency_key: str) -> IntentState:
        return IntentState.from_stripe(self._call(self.client.v1.payment_intents.cancel, intent_id,
                                                  options={"idempotency_key": idempotency_key}))

    def settled(self, intent_id: str) -> tuple[int, int]:
        """``(captured, refunded)``: the money Stripe took for the intent and gave back, in minor units."""
        intent = self._call(self.client.v1.payment_intents.retrieve, intent_id,
                            params={"expand": ["latest_charge"]}).to_dict()
        charge = intent.get("latest_charge")
        if not charge or charge.get("status") != "succeeded" or not charge.get("captured"):
            return 0, 0
        return charge.get("amount_captured", charge["amount"]), charge.get("amount_refunded", 0)

    def refund(self, intent_id: str, *, amount: int, idempotency_key: str) -> str:
        refund = self._call(self.client.v1.refunds.create, params={"payment_intent": intent_id, "amount": amount},
                            options={"idempotency_key": idempotency_key})
        return refund.id

    def transfer(self, *, amount: int, currency: str, destination: str, source_transaction: str | None,
                 metadata: dict, idempotency_key: str) -> str:
        """A Connect transfer to ``destination``, funded by the buyer's charge when it is known."""
        params = {"amount": amount, "currency": currency, "destination": destination, "metadata": metadata}
        if source_transaction:
            params["source_transaction"] = source_transaction
        transfer = self._call(self.transfer_client.v1.transfers.create, params=params,
                              options={"idempotency_key": idempotency_key})
        return transfer.id

    def reverse_transfer(self, transfer_id: str, *, amount: int, idempotency_key: str) -> str:
        """Take ``amount`` of a Connect transfer back from the connected account; returns the reversal id."""
        reversal = self._call(self.transfer_client.v1.transfers.reversals.create, transfer_id,
                              params={"amount": amount}, options={"idempotency_key": idempotency_key})
        return reversal.id


# The test provider honours Stripe's well-known test cards, so a newcomer sees the same outcomes.
DECLINED_TEST_CARDS = frozenset({"4000000000000002", "4000000000000341", "4000000000009995"})
AUTHENTICATION_TEST_CARDS = frozenset({"4000002500003155", "4000002760003184"})


def _luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


class TestProvider:
    """No money moves: a stand-in for Stripe in the embedded default, labelled TEST wherever it shows.

    It keeps no state of its own; the ``Payment`` row is the whole story. ``confirm`` plays the buyer's card.
    """

    __test__ = False  # not a pytest test class
    name = "test"

    @staticmethod
    def _ref(prefix: str) -> str:
        return f"test_{prefix}_{uuid.uuid4().hex[:20]}"

    def create_intent(self, *, amount: int, currency: str, metadata: dict, idempotency_key: str) -> IntentState:
        return IntentState(id=self._ref("pi"), status="requires_payment_method")

    def retrieve_intent(self, intent_id: str) -> IntentState:
        raise Conflict("test payments are confirmed on their test page, not synchronised")

    def confirm(self, intent_id: str, card_number: str, *, authenticated: bool = False) -> IntentState:
        """The buyer pays with ``card_number``: declined and 3-D Secure test cards behave as on Stripe."""
        number = "".join((card_number or "").split())
        if not (number.isdigit() and 12 <= len(number) <= 19 and _luhn_ok(number)):
            raise ValidationFailed({"card_number": ["not a valid card number (try 4242 4242 4242 4242)"]})
        if number in DECLINED_TEST_CARDS:
            return IntentState(id=intent_id, status="requires_payment_method", failure_code="card_declined",
                               failure_message="Your card was declined.")
        if number in AUTHENTICATION_TEST_CARDS and not authenticated:
            return IntentState(id=intent_id, status="requires_action")
        return IntentState(id=intent_id, status="requires_capture", charge_id=self._ref("ch"))

    def capture(self, intent_id: str, *, amount: int, idempotency_key: str) -> IntentState:
        return IntentState(id=intent_id, status="succeeded")

    def cancel(self, intent_id: str, *, idempotency_key: str) -> IntentState:
        return IntentState(id=intent_id, status="canceled")

    def refund(self, intent_id: str, *, amount: int, idempotency_key: str) -> str:
        return self._ref("re")

    def transfer(self, *, amount: int, currency: str, destination: str, source_transaction: str | None,
                 metadata: dict, idempotency_key: str) -> str:
        return self._ref("tr")

    def reverse_transfer(self, transfer_id: str, *, amount: int, idempotency_key: str) -> str:
        return self._ref("trr")


def provider_named(name: str):
    """The provider that handles payments created by ``name`` ("stripe" / "test")."""
    if name == TestProvider.name:
        return TestProvider()
    config = current_app.config
    key = config.get("STRIPE_SECRET_KEY")
    if not key:
        raise ProviderError("Stripe is not configured (STRIPE_SECRET_KEY) but this payment was made with Stripe")
    return StripeProvider(key, config.get("STRIPE_API_BASE"), config.get("STRIPE_TRANSFER_API_BASE"))


def current_provider():
    """The provider for new payments: Stripe when a secret key is configured, else the test provider."""
    return provider_named("stripe" if current_app.config.get("STRIPE_SECRET_KEY") else "test")


def verify_webhook(payload: bytes, signature: str | None):
    """The ``stripe.Event`` of a webhook request, after checking its ``Stripe-Signature`` with the secret."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise BadWebhook("webhooks are not configured (STRIPE_WEBHOOK_SECRET)")
    if not signature:
        raise BadWebhook("missing Stripe-Signature header")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError:
        raise BadWebhook("invalid signature") from None
    except (ValueError, TypeError, AttributeError, KeyError):  # the SDK parses any JSON, of any shape
        raise BadWebhook("the body is not a Stripe event") from None
    if not _is_event(event):
        raise BadWebhook("the body is not a Stripe event (an object with a string id and type)")
    return event


def _is_event(event) -> bool:
    """A signed body is trusted, not well-formed: an event is an object with string ``id`` and ``type``, an object
    under ``data.object`` and an integer ``created``, as the payment service reads it."""
    data = event.to_dict() if hasattr(event, "to_dict") else None
    if not isinstance(data, dict):
        return False
    body = data.get("data", {})
    return (isinstance(data.get("id"), str) and bool(data["id"]) and isinstance(data.get("type"), str)
            and isinstance(body, dict) and isinstance(body.get("object", {}), dict)
            and isinstance(data.get("created", 0), int))
