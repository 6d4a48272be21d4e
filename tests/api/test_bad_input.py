"""Bad input gets 400/422 with the offending field named, and nothing is written or changed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.core.formatting import local_today
from app.listings.registry import listing_services
from tests.api.conftest import API, DATA, build_world
from tests.api.test_auth_api import REGISTRATION
from tests.factories import CREDIT_CODES

YESTERDAY = (local_today() - timedelta(days=1)).isoformat()

# (resource, overrides of the valid data, field the error must name)
BAD_LISTINGS = [
    ("patents", {"title": None}, "title"),
    ("patents", {"title": "长" * 301}, "title"),
    ("patents", {"abstract": 12345}, "abstract"),
    ("patents", {"trl": "six"}, "trl"),
    ("patents", {"trl": 10}, "trl"),
    ("patents", {"patent_number": "CN202310123456.8"}, "patent_number"),  # wrong check digit
    ("patents", {"patent_number": "US1234567"}, "patent_number"),
    ("patents", {"ipc": ["G06F16/35/99"]}, "ipc"),
    ("patents", {"ipc": "H01M 4/525"}, "ipc"),  # a string, not a list
    ("patents", {"maturity": "galactic"}, "maturity"),
    ("patents", {"coop_modes": ["gift"]}, "coop_modes"),
    ("patents", {"price": -1}, "price"),
    ("patents", {"application_date": "2023-05-01", "grant_date": "2022-01-01"}, "grant_date"),
    ("patents", {"indicators": [{"name": "能量密度", "comparator": "range", "value": 9, "value_max": 3}]}, "indicators"),
    ("demands", {"description": None}, "description"),
    ("demands", {"budget_min": 300, "budget_max": 100}, "budget_max"),
    ("demands", {"valid_until": YESTERDAY}, "valid_until"),
    ("demands", {"visibility": "secret"}, "visibility"),
    ("services", {"kind": "teleport"}, "kind"),
    ("services", {"lead_time_days": -3}, "lead_time_days"),
    ("services", {"qualifications": [{"type": "CMA"}]}, "qualifications"),
]


def _payload(resource: str, overrides: dict) -> dict:
    data = {**DATA[resource](), **overrides}
    return {k: v for k, v in data.items() if v is not None}


def _total(resource: str, db_session) -> int:
    model = listing_services()[resource].model
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("resource, overrides, field", BAD_LISTINGS)
def test_bad_listing_is_422_naming_the_field_and_writes_nothing(client, db_session, resource, overrides, field):
    world = build_world(resource)
    before = _total(resource, db_session)
    response = client.post(world.url(), json=_payload(resource, overrides), headers=world.headers["member"])
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert _total(resource, db_session) == before

    # The same value as an edit of the draft changes nothing either.
    if field in overrides and overrides[field] is not None:
        snapshot = client.get(world.url(world.draft), headers=world.headers["member"]).get_json()
        response = client.patch(world.url(world.draft), json=overrides, headers=world.headers["member"])
        assert response.status_code == 422 and field in response.get_json()["errors"]
        assert client.get(world.url(world.draft), headers=world.headers["member"]).get_json() == snapshot


@pytest.mark.parametrize("body, status, field", [
    ("[1, 2, 3]", 422, "_schema"),  # JSON, but not an object
    ('"just a string"', 422, "_schema"),
    ("null", 422, "_schema"),
    ("{not json", 400, "_json"),
])
def test_body_that_is_not_a_json_object(client, patent_world, db_session, body, status, field):
    before = _total("patents", db_session)
    response = client.post(patent_world.url(), data=body, content_type="application/json",
                           headers=patent_world.headers["member"])
    assert response.status_code == status and field in response.get_json()["errors"]
    response = client.patch(patent_world.url(patent_world.draft), data=body, content_type="application/json",
                            headers=patent_world.headers["member"])
    assert response.status_code == status and field in response.get_json()["errors"]
    assert _total("patents", db_session) == before


def test_body_must_be_declared_as_json(client, patent_world, db_session):
    before = _total("patents", db_session)
    response = client.post(patent_world.url(), data='{"title": "表单伪装的请求"}', content_type="text/plain",
                           headers=patent_world.headers["member"])
    assert response.status_code == 415 and "_json" in response.get_json()["errors"]
    assert _total("patents", db_session) == before


def test_empty_create_names_every_required_field(client, patent_world, db_session):
    response = client.post(patent_world.url(), headers=patent_world.headers["member"])
    assert response.status_code == 422
    assert {"title", "abstract"} <= set(response.get_json()["errors"])


@pytest.mark.parametrize("query, field", [
    ("page=abc", "page"), ("page=0", "page"), ("per_page=1000", "per_page"),
    ("status=published", "status"), ("org=x", "org"),
])
def test_bad_list_arguments_name_the_field(client, patent_world, query, field):
    response = client.get(f"{API}/patents?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]


@pytest.mark.parametrize("body, field", [
    ({"resource": "patents", "ids": [1], "decision": "publish"}, "decision"),
    ({"resource": "patents", "ids": [1], "decision": "reject"}, "reason"),
    ({"resource": "patents", "ids": [1], "decision": "revise", "reason": "   "}, "reason"),
    ({"resource": "patents", "ids": "1,2", "decision": "approve"}, "ids"),
    ({"resource": "patents", "ids": [], "decision": "approve"}, "ids"),
    ({"resource": "deals", "ids": [1], "decision": "approve"}, "resource"),
    ({"ids": [1], "decision": "approve"}, "resource"),
])
def test_bad_bulk_decision_changes_nothing(client, patent_world, db_session, body, field):
    w = patent_world
    client.post(w.url(w.draft, "/submit"), headers=w.headers["member"])
    if isinstance(body.get("ids"), list) and body["ids"]:
        body = {**body, "ids": [w.draft.id]}
    response = client.post(f"{API}/admin/moderation/bulk", json=body, headers=w.headers["admin"])
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert client.get(w.url(w.draft), headers=w.headers["member"]).get_json()["status"] == "pending"
    assert db_session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.object_id == w.draft.id)) == 0


def test_bulk_body_that_is_not_json(client, patent_world):
    response = client.post(f"{API}/admin/moderation/bulk", data="{oops", content_type="application/json",
                           headers=patent_world.headers["admin"])
    assert response.status_code == 400 and "_json" in response.get_json()["errors"]


@pytest.mark.parametrize("overrides, field", [
    ({"email": "not-an-email"}, "email"),
    ({"password": "short"}, "password"),
    ({"org_kind": "platform"}, "org_kind"),  # nobody registers a platform organisation
    ({"credit_code": CREDIT_CODES[0][:-1] + "0"}, "credit_code"),  # wrong check character
    ({"display_name": None}, "display_name"),
])
def test_bad_registration_names_the_field_and_writes_nothing(client, db_session, overrides, field):
    before = db_session.scalar(select(func.count()).select_from(User))
    data = {k: v for k, v in {**REGISTRATION, **overrides}.items() if v is not None}
    response = client.post(f"{API}/auth/register", json=data)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(User)) == before


def test_registration_body_not_an_object(client, db_session):
    response = client.post(f"{API}/auth/register", json=["email", "password"])
    assert response.status_code == 422 and "_schema" in response.get_json()["errors"]
