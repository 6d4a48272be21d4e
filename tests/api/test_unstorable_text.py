"""Text no database can hold — a NUL character (PostgreSQL refuses it in text and JSONB) or a lone UTF-16
surrogate (not UTF-8) — is a 422 naming where it was, in a query, a form, a file name or anywhere in a JSON body,
on SQLite and PostgreSQL alike; nothing is written (Schemathesis found these as 500s on PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.idempotency.models import IdempotencyKey
from app.patents.models import Patent
from tests.api.conftest import API, build_world
from tests.factories import patent_data

ABSTRACT = "一种用于测试的方法与系统的说明文字"


def obj(*members: str) -> str:
    """A JSON object's text with an abstract and ``members`` as written (escapes such as \\u0000 kept raw)."""
    return "{" + ", ".join([f'"abstract": "{ABSTRACT}"', *members]) + "}"


def _patents(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Patent))


@pytest.mark.parametrize("body, field", [
    (obj('"title": "a\\u0000b"'), "title"),
    (obj('"title": "\\ud800x"'), "title"),
    (obj('"title": "题目", "keywords": ["电池", "\\u0000"]'), "keywords"),
    (obj('"title": "题目", "indicators": [{"name": "\\udfff"}]'), "indicators.name"),
    (obj('"title": "题目", "a\\u0000": 1'), "a\\x00"),
    ('"\\u0000"', "_schema"),
])
def test_json_bodies_with_unstorable_text_are_422_naming_the_field(client, db_session, body, field):
    world = build_world("patents")
    before = _patents(db_session)
    headers = {**world.headers["member"], "Idempotency-Key": "unstorable-1"}
    response = client.post(world.url(), data=body, content_type="application/json", headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["errors"]
    patch = client.patch(world.url(world.draft), data=body, content_type="application/json",
                         headers=world.headers["member"])
    assert patch.status_code == 422 and field in patch.get_json()["errors"]
    assert _patents(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


@pytest.mark.parametrize("url, field", [
    (f"{API}/calls?q=a%00b", "q"), (f"{API}/patents?industry=%00", "industry"), (f"{API}/search/patents?q=%00", "q"),
    (f"{API}/patents/1%00", "_path"), ("/search/patents?q=%E7%94%B5%00", "q"),
])
def test_queries_and_paths_with_a_nul_are_422(client, patent_world, url, field):
    response = client.get(url, headers=patent_world.headers["member"])
    assert response.status_code == 422
    if url.startswith(API):
        assert field in response.get_json()["errors"]


def test_forms_and_file_names_with_a_nul_are_422(client, patent_world, db_session):
    from tests.api.conftest import pdf_bytes

    login = client.post("/login", data={"email": "a\x00@example.cn", "password": "x"})
    assert login.status_code == 422
    upload = client.post(patent_world.url(patent_world.draft, "/attachments"), headers=patent_world.headers["member"],
                         data={"file": (pdf_bytes(), "a\x00.pdf")}, content_type="multipart/form-data")
    assert upload.status_code == 422 and upload.get_json()["errors"]


def test_ordinary_text_passes(client, patent_world, db_session):
    body = {**patent_data(), "title": "含制表符\t与换行\n的标题 ✓ 𠀋"}  # control characters other than NUL are text
    response = client.post(patent_world.url(), json=body, headers=patent_world.headers["member"])
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("body", [
    obj('"title": "题目\\ud800"'),
    obj('"title": "题目", "keywords": ["\\u0000"]'),
])
def test_the_database_refusal_is_422_as_a_last_line_of_defence(app, client, db_session, monkeypatch, body):
    """Without the request check (text a service builds itself is not checked by it), the driver's or the
    database's refusal is still a 422, never a 500."""
    from app.core.input import refuse_unstorable_text

    hooks = [hook for hook in app.before_request_funcs[None] if hook is not refuse_unstorable_text]
    monkeypatch.setitem(app.before_request_funcs, None, hooks)
    world = build_world("patents")
    before = _patents(db_session)
    response = client.post(world.url(), data=body, content_type="application/json", headers=world.headers["member"])
    if response.status_code == 201:  # SQLite stores a NUL (as text in a JSON column): nothing to refuse
        assert "u0000" in body and db_session.bind.dialect.name == "sqlite"
        return
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert response.get_json()["errors"] == {"_schema": ["text contains a character that cannot be stored"]}
    assert _patents(db_session) == before
