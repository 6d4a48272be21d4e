"""Payment test fixtures, reusable by other packages' tests (``pytest_plugins = ["tests.payments.fixtures"]``).

* ``localstripe`` — a real localstripe server (started once per session on 127.0.0.1, state in a temp folder)
  with the app's ``STRIPE_SECRET_KEY`` / ``STRIPE_API_BASE`` / ``STRIPE_WEBHOOK_SECRET`` pointed at it for the
  test. Yields a :class:`LocalStripe` helper that plays the buyer's browser (``pay``, ``authenticate``),
  reads localstripe's events and delivers them — or events built from real PaymentIntents — to the webhook,
  signed with Stripe's scheme.
* ``stripe_connect`` — a local HTTP server replaying recorded Stripe responses for Connect transfers and their
  reversals (which localstripe does not implement), with the app's ``STRIPE_TRANSFER_API_BASE`` pointed at it.
* ``payable_kind`` — a dummy payable kind registered with the payment hooks, recording every call.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests
import stripe

from app.payments import hooks, ledger

REPO = Path(__file__).resolve().parents[2]
RECORDED = Path(__file__).parent / "recorded"
SECRET_KEY = "sk_test_localstripe_techbridge"
WEBHOOK_SECRET = "whsec_test_techbridge_localstripe"
WEBHOOK_PATH = "/api/v1/payments/webhook"


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (Stripe's scheme: HMAC-SHA256 of ``"{t}.{payload}"``)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _wait_for_port(path: Path, process: subprocess.Popen, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if text.strip():
            port = int(text.split()[0])
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return port
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"localstripe did not start: {(path.parent / 'stderr.log').read_text()[-2000:]}")


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    """The base URL of a localstripe process on 127.0.0.1 (a free port), its pickle in a temp folder."""
    state = tmp_path_factory.mktemp("localstripe")
    port_file = state / "port"
    with open(port_file, "w") as stdout, open(state / "stderr.log", "w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.payments.localstripe_server", "--state-dir", str(state)],
            cwd=REPO, stdout=stdout, stderr=stderr,
        )
    try:
        yield f"http://127.0.0.1:{_wait_for_port(port_file, process)}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class LocalStripe:
    """Helpers around a localstripe server; ``client`` is an official ``stripe.StripeClient`` on it."""

    url: str
    secret_key: str = SECRET_KEY
    webhook_secret: str = WEBHOOK_SECRET
    client: stripe.StripeClient = field(init=False)

    def __post_init__(self):
        self.client = stripe.StripeClient(self.secret_key, base_addresses={"api": self.url})

    def app_settings(self) -> dict:
        """The settings that point an app at this server (``create_app(overrides)`` of a live-server test)."""
        return {"STRIPE_SECRET_KEY": self.secret_key, "STRIPE_API_BASE": self.url,
                "STRIPE_WEBHOOK_SECRET": self.webhook_secret, "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
                "STRIPE_JS_URL": f"{self.url}/js.stripe.com/v3/"}

    # -- the buyer's browser (what Stripe.js does)

    def pay(self, intent_id: str, card: str = "4242424242424242"):
        """Attach a card to the PaymentIntent and confirm it; returns the PaymentIntent (declines included)."""
        method = self.client.v1.payment_methods.create(params={
            "type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        })
        self.client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
        try:
            self.client.v1.payment_intents.confirm(intent_id)
        except stripe.CardError:
            pass  # a declined card: the intent now says so in last_payment_error
        return self.intent(intent_id)

    def authenticate(self, intent_id: str, client_secret: str, success: bool = True):
        """Complete (or fail) 3-D Secure, as localstripe's Stripe.js does."""
        response = requests.post(f"{self.url}/v1/payment_intents/{intent_id}/_authenticate",
                                 params={"success": "true" if success else "false"},
                                 data={"client_secret": client_secret, "key": "pk_test_localstripe"}, timeout=10)
        response.raise_for_status()
        return self.intent(intent_id)

    def intent(self, intent_id: str):
        return self.client.v1.payment_intents.retrieve(intent_id)

    def refunds(self, intent_id: str) -> list:
        return list(self.client.v1.refunds.list(params={"payment_intent": intent_id}).data)

    # -- events and webhooks

    def events(self, intent_id: str, type: str | None = None) -> list[dict]:
        """localstripe's own events about one PaymentIntent, oldest first, as JSON dicts."""
        found = [e.to_dict() for e in self.client.v1.events.list(params={"limit": 100}).auto_paging_iter()]
        found = [e for e in found if e["data"]["object"].get("id") == intent_id and (type is None or e["type"] == type)]
        return sorted(found, key=lambda e: e["created"])

    def event_for(self, intent_id: str, type: str, created: int | None = None) -> dict:
        """An event of ``type`` carrying the PaymentIntent as localstripe has it now.

        For the events localstripe does not emit (``payment_intent.amount_capturable_updated``, sent by Stripe
        when a manual-capture payment is authorised; ``payment_intent.requires_action``).
        """
        return {"id": f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": type,
                "created": int(time.time()) if created is None else created, "livemode": False,
                "api_version": "2024-06-20", "data": {"object": self.intent(intent_id).to_dict()}}

    def deliver(self, client, event: dict, *, secret: str | None = None, signature: str | None = None):
        """POST ``event`` to the app's webhook through the Flask test ``client``, signed unless told otherwise."""
        payload = json.dumps(event)
        header = signature if signature is not None else sign(payload, secret or self.webhook_secret)
        return client.post(WEBHOOK_PATH, data=payload, headers={"Stripe-Signature": header},
                           content_type="application/json")

    def register_webhook(self, url: str, name: str = "techbridge") -> None:
        """Have localstripe deliver its events to ``url`` itself (signed with the webhook secret)."""
        requests.post(f"{self.url}/_config/webhooks/{name}", data={"url": url, "secret": self.webhook_secret},
                      timeout=10).raise_for_status()


@pytest.fixture
def localstripe(app, localstripe_server, monkeypatch):
    """A :class:`LocalStripe` on the session's server; the app's Stripe settings point at it for this test."""
    server = LocalStripe(localstripe_server)
    for key, value in server.app_settings().items():
        monkeypatch.setitem(app.config, key, value)
    return server


# ---------------------------------------------------------------- Connect transfers: recorded responses


class _RecordedStripe(BaseHTTPRequestHandler):
    """Replays recorded Stripe responses for ``POST /v1/transfers`` and remembers each request."""

    server: _ConnectServer

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = dict(parse_qsl(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()))
        key = self.headers.get("Idempotency-Key")
        self.server.requests.append({"path": self.path, "params": body, "idempotency_key": key,
                                     "authorization": self.headers.get("Authorization")})
        reversal = re.fullmatch(r"/v1/transfers/(tr_\w+)/reversals", self.path)
        if reversal:
            return self._reverse(reversal.group(1), body, key)
        if self.path != "/v1/transfers":
            return self._reply(404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}})
        if body.get("destination") in self.server.failing_accounts:
            return self._reply(400, json.loads((RECORDED / "transfer_insufficient_funds.json").read_text()))
        if key not in self.server.transfers:  # Stripe answers a repeated idempotency key with the first result
            transfer = json.loads((RECORDED / "transfer_create.json").read_text())
            transfer.update(
                id=f"tr_{uuid.uuid4().hex[:24]}", amount=int(body["amount"]), currency=body["currency"],
                destination=body["destination"], source_transaction=body.get("source_transaction"),
                metadata={k[len("metadata["):-1]: v for k, v in body.items() if k.startswith("metadata[")},
            )
            self.server.transfers[key] = transfer
        self._reply(200, self.server.transfers[key])

    def _reverse(self, transfer_id: str, body: dict, key: str | None) -> None:
        """``POST /v1/transfers/{id}/reversals``: a reversal of a transfer this server made (404 for others)."""
        if transfer_id not in {t["id"] for t in self.server.transfers.values()}:
            return self._reply(404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                               "message": f"No such transfer: '{transfer_id}'"}})
        if key not in self.server.reversals:
            reversal = json.loads((RECORDED / "transfer_reversal_create.json").read_text())
            reversal.update(id=f"trr_{uuid.uuid4().hex[:24]}", amount=int(body["amount"]), transfer=transfer_id)
            self.server.reversals[key] = reversal
        self._reply(200, self.server.reversals[key])

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # keep test output quiet
        pass


class _ConnectServer(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _RecordedStripe)
        self.requests: list[dict] = []
        self.transfers: dict[str, dict] = {}
        self.reversals: dict[str, dict] = {}
        self.failing_accounts: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def stripe_connect(app, monkeypatch):
    """A recorded-response Stripe server for Connect transfers; the app's transfers go there for this test.

    Yields the server: ``.requests`` (what the app sent), ``.failing_accounts`` (destinations answered with
    the recorded ``balance_insufficient`` error).
    """
    server = _ConnectServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "STRIPE_TRANSFER_API_BASE", server.url)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- a dummy payable kind


@dataclass
class DummyPayable:
    """Anything payable: what a deal or a service order offers the payments service."""

    id: int
    buyer_org_id: int
    seller_org_id: int
    payable_kind: str = "test_payable"


@dataclass
class HookCalls:
    """What the payment hooks told the dummy payable's owner; ``refuse`` makes ``on_paid`` refuse (409)."""

    paid: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    refuse: str | None = None

    def on_paid(self, payable_id, payment, *, uow):
        from app.core.errors import Conflict

        if self.refuse:
            raise Conflict(self.refuse)
        self.paid.append((payable_id, payment.id))

    def on_failed(self, payable_id, payment, reason, *, uow):
        self.failed.append((payable_id, payment.id, reason))


@pytest.fixture
def payable_kind():
    """Register the ``test_payable`` kind with recording hooks; yields the :class:`HookCalls`."""
    calls = HookCalls()
    hooks.register("test_payable", on_paid=calls.on_paid, on_failed=calls.on_failed)
    yield calls
    hooks.unregister("test_payable")


def assert_books_balance() -> None:
    """Every ledger transaction sums to zero, so over all of them money is neither made nor lost."""
    assert ledger.unbalanced_transactions() == []
    assert sum(ledger.balances().values()) == 0
