"""Idempotency-Key on API POSTs: a retry returns the first response and writes nothing; the key is scoped per
caller, method and path and bound to the body; it is documented on every POST."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.idempotency import EXCLUDED_PATHS, HEADER, REPLAYED_HEADER
from app.idempotency.models import IdempotencyKey
from app.patents.models import Patent
from tests.api.conftest import API, DATA
from tests.deals.conftest import market  # noqa: F401 — the deal fixture serves this module too


def patents(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Patent))


def post(client, world, actor: str, key: str, body: dict, url: str | None = None):
    return client.post(url or world.url(), json=body, headers={**world.headers[actor], HEADER: key})


def test_a_retry_returns_the_first_response_and_writes_nothing(client, patent_world, db_session):
    w, body = patent_world, DATA["patents"]()
    before = patents(db_session)
    first = post(client, w, "member", "create-1", body)
    assert first.status_code == 201 and REPLAYED_HEADER not in first.headers
    again = post(client, w, "member", "create-1", body)
    assert again.status_code == 201 and again.headers[REPLAYED_HEADER] == "true"
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert patents(db_session) == before + 1
    # Without a key, or with a new one, the same body is a new patent.
    assert post(client, w, "member", "create-2", body).status_code == 201
    assert client.post(w.url(), json=body, headers=w.headers["member"]).status_code == 201
    assert patents(db_session) == before + 3


def test_the_same_key_with_another_body_is_422_naming_the_header(client, patent_world, db_session):
    w = patent_world
    assert post(client, w, "member", "k", DATA["patents"](title="第一个标题")).status_code == 201
    before = patents(db_session)
    response = post(client, w, "member", "k", DATA["patents"](title="另一个标题"))
    assert response.status_code == 422 and HEADER in response.get_json()["errors"]
    assert patents(db_session) == before


def test_keys_are_scoped_per_caller_and_path(client, patent_world, db_session):
    w, body = patent_world, DATA["patents"]()
    before = patents(db_session)
    assert post(client, w, "member", "shared", body).status_code == 201
    assert post(client, w, "org_admin", "shared", body).status_code == 201  # another user of the same org
    submit = post(client, w, "member", "shared", {}, url=w.url(w.draft, "/submit"))
    assert submit.status_code == 200 and REPLAYED_HEADER not in submit.headers
    assert patents(db_session) == before + 2


def test_a_transition_replayed_is_not_a_conflict(client, patent_world):
    """Without the key a second submit is 409 (already pending); with it, the client sees its first 200."""
    w = patent_world
    first = post(client, w, "member", "submit-once", {}, url=w.url(w.draft, "/submit"))
    again = post(client, w, "member", "submit-once", {}, url=w.url(w.draft, "/submit"))
    assert first.status_code == again.status_code == 200 and again.get_json() == first.get_json()
    assert client.post(w.url(w.draft, "/submit"), headers=w.headers["member"]).status_code == 409


def test_a_request_that_failed_before_writing_keeps_no_claim(client, patent_world, db_session):
    w = patent_world
    bad = post(client, w, "member", "fix-and-retry", DATA["patents"](title=""))
    assert bad.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    # The caller fixes the body and retries with the same key: it is a new request.
    assert post(client, w, "member", "fix-and-retry", DATA["patents"]()).status_code == 201


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "中文键", "tab\there"])
def test_an_unusable_key_is_422_naming_the_header(client, patent_world, db_session, key):
    before = patents(db_session)
    response = client.post(patent_world.url(), json=DATA["patents"](),
                           headers={**patent_world.headers["member"], HEADER: key.encode("utf-8").decode("latin-1")})
    assert response.status_code == 422 and HEADER in response.get_json()["errors"]
    assert patents(db_session) == before


def test_the_token_endpoint_stores_no_secret(client, patent_world, db_session):
    from tests.factories import PASSWORD

    body = {"email": patent_world.member.email, "password": PASSWORD}
    first = client.post(f"{API}/auth/tokens", json=body, headers={HEADER: "token-1"})
    again = client.post(f"{API}/auth/tokens", json=body, headers={HEADER: "token-1"})
    assert first.status_code == again.status_code == 201 and REPLAYED_HEADER not in again.headers
    assert db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_every_post_documents_the_header(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    posts = {path: ops["post"] for path, ops in spec["paths"].items() if "post" in ops}
    assert len(posts) > 20
    for path, operation in posts.items():
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert (HEADER in names) == (path not in EXCLUDED_PATHS), path


def test_a_multipart_retry_encoded_with_another_boundary_is_the_same_request(client, market, db_session):
    """HTTP clients draw a new multipart boundary for every send: a retry is recognised by its fields and files."""
    from app.deals.models import DealMessage
    from tests.api.conftest import pdf_bytes
    from tests.deals.conftest import open_deal
    from tests.factories import bearer

    deal = open_deal(market)
    pdf = pdf_bytes()

    def send(boundary: str, text: str = "请看附件"):
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n{text}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
                f'Content-Type: application/pdf\r\n\r\n').encode() + pdf + f'\r\n--{boundary}--\r\n'.encode()
        return client.post(f"{API}/deals/{deal.id}/messages", data=body, headers={**bearer(market.buyer),
                           HEADER: "message-1"}, content_type=f"multipart/form-data; boundary={boundary}")

    before = db_session.scalar(select(func.count()).select_from(DealMessage))
    first = send("first-boundary")
    again = send("another-boundary-0123")
    assert first.status_code == again.status_code == 201, again.get_json()
    assert again.headers[REPLAYED_HEADER] == "true" and again.get_json() == first.get_json()
    assert db_session.scalar(select(func.count()).select_from(DealMessage)) == before + 1
    other = send("third", text="另一条消息")
    assert other.status_code == 422 and HEADER in other.get_json()["errors"]
