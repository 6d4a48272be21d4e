"""No input gets a 5xx: numbers beyond 64 bits, duplicate keys, malformed multipart, control characters in
``next``. Each answers 4xx with the JSON error body and writes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.deals.models import DealMessage
from app.patents.models import Patent
from tests.api.conftest import API, DATA, build_world
from tests.deals.conftest import market, open_deal  # noqa: F401 — the deal fixtures serve this module too

HUGE = "9223372036854775808"  # 2**63: one beyond a signed 64-bit integer


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", [
    f"/patents/{HUGE}", f"/demands/{HUGE}/matches", f"/deals/{HUGE}", f"/payments/{HUGE}",
    f"/orgs/{HUGE}", f"/search/patents/{HUGE}/similar", f"/attachments/{'9' * 5000}/download",
])
def test_ids_beyond_64_bits_in_paths_are_404_with_the_error_body(client, patent_world, path):
    response = client.get(API + path, headers=patent_world.headers["admin"])
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


@pytest.mark.parametrize("query, field", [
    (f"org={HUGE}", "org"), (f"org={'2930582741' * 3}", "org"), (f"page={HUGE}", "page"),
    (f"per_page=-{HUGE}", "per_page"),
])
@pytest.mark.parametrize("resource", ["patents", "demands", "services"])
def test_numbers_beyond_64_bits_in_queries_are_422_naming_the_field(client, patent_world, resource, query, field):
    response = client.get(f"{API}/{resource}?{query}", headers=patent_world.headers["member"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_numbers_beyond_64_bits_in_bodies_are_4xx(client, patent_world):
    w = patent_world
    response = client.post(f"{API}/admin/moderation/bulk", headers=w.headers["admin"],
                           json={"resource": "patents", "ids": [int(HUGE)], "decision": "approve"})
    assert response.status_code == 422 and response.get_json()["errors"]
    response = client.post(f"{API}/deals", headers=w.headers["other"], json={"patent_id": int(HUGE)})
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("resource", ["patents", "demands", "services"])
def test_a_duplicate_external_id_is_409_naming_the_field(client, db_session, resource):
    world = build_world(resource)
    body = {**DATA[resource](), "external_id": "EXT-001"}
    assert client.post(world.url(), json=body, headers=world.headers["member"]).status_code == 201
    model = type(world.draft)
    before = count(db_session, model)
    again = client.post(world.url(), json={**DATA[resource](), "external_id": "EXT-001"},
                        headers=world.headers["member"])
    assert again.status_code == 409 and "external_id" in again.get_json()["errors"]
    assert count(db_session, model) == before
    # Renaming the draft to the taken key is the same conflict; another organisation may use the key.
    edit = client.patch(world.url(world.draft), json={"external_id": "EXT-001"}, headers=world.headers["member"])
    assert edit.status_code == 409 and "external_id" in edit.get_json()["errors"]
    assert client.post(world.url(), json=body, headers=world.headers["other"]).status_code == 201


def test_a_unique_violation_the_service_did_not_foresee_is_409_naming_the_column(app, db_session):
    """The last line of defence (two concurrent creates pass the service's check): the constraint's answer."""
    from sqlalchemy.exc import IntegrityError

    from app.core.http_errors import unique_violation

    world = build_world("patents")
    db_session.add(Patent(org_id=world.owner_org.id, external_id="DUP", title="甲", abstract="一" * 20,
                          status=world.draft.status))
    db_session.flush()
    with pytest.raises(IntegrityError) as caught, db_session.begin_nested():
        db_session.add(Patent(org_id=world.owner_org.id, external_id="DUP", title="乙", abstract="二" * 20,
                              status=world.draft.status))
        db_session.flush()
    conflict = unique_violation(caught.value)
    assert conflict.status == 409 and conflict.extra["errors"].keys() == {"external_id"}


@pytest.mark.parametrize("body", [
    # A part without a name, one with an empty name, and a file part without a name.
    b'--B\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--B--\r\n',
    b'--B\r\nContent-Disposition: form-data; name=""\r\n\r\nhello\r\n--B--\r\n',
    b'--B\r\nContent-Disposition: form-data; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-\r\n--B--\r\n',
    b'--B\r\nno headers at all\r\n--B--\r\n',
    b'not multipart at all',
])
@pytest.mark.parametrize("key", [None, "retry-me"])
def test_malformed_multipart_is_4xx_and_writes_nothing(client, market, db_session, body, key):
    from tests.factories import bearer

    deal = open_deal(market)
    before = count(db_session, DealMessage)
    headers = {**bearer(market.buyer), **({"Idempotency-Key": key} if key else {})}
    response = client.post(f"{API}/deals/{deal.id}/messages", data=body, headers=headers,
                           content_type="multipart/form-data; boundary=B")
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.get_json()["code"] == response.status_code
    assert count(db_session, DealMessage) == before


@pytest.mark.parametrize("target", ["/%0a/x", "/%0d%0aSet-Cookie:x=1", "/%09/evil.example", "%00", "/\x7f"])
def test_control_characters_in_next_never_raise(client, market, target):
    from tests.factories import PASSWORD

    # A NUL is text no database can hold: any request carrying one is a 422 (tests/api/test_unstorable_text.py).
    assert client.get(f"/login?next={target}").status_code == (422 if "%00" in target else 200)
    response = client.post(f"/login?next={target}", data={"email": market.seller.email, "password": PASSWORD})
    assert response.status_code < 500
    assert "\n" not in response.headers.get("Location", "") and "\r" not in response.headers.get("Location", "")
