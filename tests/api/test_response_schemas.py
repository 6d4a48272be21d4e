"""Real responses match the OpenAPI document: every field documented, nullable ones marked, timestamps with
their time zone. Objects in many states (deals along their path, drafts with empty fields, attachments) are read
through the API and validated against the operation's declared response schema.

(The Schemathesis run calls operations with generated ids, which rarely name an existing deal; this covers them.)
"""
from __future__ import annotations

import io
import re

import pytest
import schemathesis

from tests.api.conftest import API, bearer, pdf_bytes
from tests.deals.conftest import drive, market  # noqa: F401 — the deal fixtures serve this module too

AWARE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)


def check(api_schema, template: str, method: str, response) -> dict | list:
    """Validate ``response`` against the operation's documented response and return its JSON."""
    assert response.status_code < 400, response.get_data(as_text=True)
    api_schema[API + template][method].validate_response(response)
    return response.get_json()


def timestamps(value) -> list[str]:
    """Every string of ``value`` (nested) under a key ending in ``_at``."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_at") and isinstance(item, str):
                found.append(item)
            else:
                found.extend(timestamps(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(timestamps(item))
    return found


@pytest.mark.parametrize("scenario", ["negotiation_with_offer", "inspection_failed", "completed", "disputed"])
def test_deals_in_each_state_match_their_schema(client, market, api_schema, scenario):
    deal = drive(market, scenario)
    headers = bearer(market.buyer)
    body = check(api_schema, "/deals/{obj_id}", "GET", client.get(f"{API}/deals/{deal.id}", headers=headers))
    assert {"status_label", "events", "payment", "next_actions"} <= set(body)
    assert body["demand_id"] is None or isinstance(body["demand_id"], int)
    check(api_schema, "/deals", "GET", client.get(f"{API}/deals", headers=headers))
    check(api_schema, "/deals/{obj_id}/messages", "GET", client.get(f"{API}/deals/{deal.id}/messages", headers=headers))
    stamps = timestamps(body)
    assert stamps and all(AWARE.match(stamp) for stamp in stamps), stamps


def test_listings_attachments_and_accounts_match_their_schema(client, patent_world, api_schema):
    w = patent_world
    headers = w.headers["member"]
    draft = check(api_schema, "/patents/{listing_id}", "GET", client.get(w.url(w.draft), headers=headers))
    assert draft["published_at"] is None and draft["moderation_note"] is None
    published = check(api_schema, "/patents/{listing_id}", "GET", client.get(w.url(w.published)))
    assert AWARE.match(published["published_at"]) and AWARE.match(published["created_at"])
    check(api_schema, "/patents", "GET", client.get(w.url(), headers=headers))
    upload = client.post(w.url(w.draft, "/attachments"), headers=w.headers["org_admin"],
                         data={"file": (io.BytesIO(pdf_bytes()), "说明书.pdf")}, content_type="multipart/form-data")
    attachment = check(api_schema, "/patents/{patent_id}/attachments", "POST", upload)
    assert attachment["download_url"].endswith("/download")
    check(api_schema, "/me", "GET", client.get(f"{API}/me", headers=headers))
    check(api_schema, "/orgs/{org_id}", "GET", client.get(f"{API}/orgs/{w.owner_org.id}", headers=headers))
    check(api_schema, "/admin/audit", "GET", client.get(f"{API}/admin/audit", headers=w.headers["admin"]))
    check(api_schema, "/notifications/read", "POST", client.post(f"{API}/notifications/read", json={},
                                                                 headers=headers))
    check(api_schema, "/payments/balances/{org_id}", "GET",
          client.get(f"{API}/payments/balances/{w.owner_org.id}", headers=headers))
