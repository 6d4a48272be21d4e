"""Registration, tokens, the current user, session authentication and login rate limiting."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import ApiToken, User
from app.orgs.models import Organisation
from tests.api.conftest import API, bearer
from tests.factories import CREDIT_CODES, PASSWORD

REGISTRATION = {
    "email": "newcomer@example.cn",
    "password": "a-long-enough-password",
    "display_name": "新用户",
    "org_name": "新注册大学技术转移中心",
    "org_kind": "university",
    "region": "上海",
    "credit_code": CREDIT_CODES[0],
}


@pytest.fixture
def saved(tto_user, buyer_user, db_session):
    """The users committed, so a failing request's rollback cannot take them away."""
    db_session.commit()
    return tto_user, buyer_user


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_register_then_token_then_me(client, db_session):
    response = client.post(f"{API}/auth/register", json=REGISTRATION)
    assert response.status_code == 202, response.get_json()
    assert set(response.get_json()) == {"message"}

    response = client.post(f"{API}/auth/tokens", json={"email": "NEWCOMER@example.cn", "password": REGISTRATION["password"]})
    assert response.status_code == 201
    token = response.get_json()
    assert token["name"] == "api" and len(token["token"]) >= 40
    stored = db_session.get(ApiToken, token["id"])
    assert stored.token_digest != token["token"]  # only the digest is kept

    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert me.status_code == 200
    body = me.get_json()
    assert body["email"] == REGISTRATION["email"] and body["role"] == "org_admin" and "password" not in body
    assert body["organisation"]["verification_status"] == "unverified"
    assert body["organisation"]["credit_code"] == CREDIT_CODES[0]  # own organisation: visible


def test_register_with_a_known_email_answers_as_for_a_new_one_and_creates_nothing(client, saved, db_session):
    tto_user = saved[0]
    before = (_count(db_session, Organisation), _count(db_session, User))
    known = client.post(f"{API}/auth/register", json={**REGISTRATION, "email": tto_user.email})
    fresh = client.post(f"{API}/auth/register", json={**REGISTRATION, "org_name": "另一个机构"})
    assert known.status_code == fresh.status_code == 202 and known.get_json() == fresh.get_json()
    assert (_count(db_session, Organisation), _count(db_session, User)) == (before[0] + 1, before[1] + 1)


def test_wrong_password_is_401_and_issues_nothing(client, saved, db_session):
    tto_user = saved[0]
    response = client.post(f"{API}/auth/tokens", json={"email": tto_user.email, "password": "wrong password!"})
    assert response.status_code == 401 and response.get_json()["message"]
    assert _count(db_session, ApiToken) == 0


def test_token_request_missing_fields_names_them(client, db_session):
    response = client.post(f"{API}/auth/tokens", json={"email": "not-an-email"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"email", "password"}


def test_revoked_token_stops_working(client, tto_user, db_session):
    response = client.post(f"{API}/auth/tokens", json={"email": tto_user.email, "password": PASSWORD, "name": "脚本"})
    token = response.get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    assert client.delete(f"{API}/auth/tokens/{token['id']}", headers=headers).status_code == 204
    assert db_session.get(ApiToken, token["id"]).revoked_at is not None
    response = client.get(f"{API}/me", headers=headers)
    assert response.status_code == 401 and response.get_json()["status"] == "NotAuthenticated"


def test_nobody_revokes_someone_elses_token(client, saved, db_session):
    tto_user, buyer_user = saved
    client.post(f"{API}/auth/tokens", json={"email": tto_user.email, "password": PASSWORD})
    token_id = db_session.scalar(select(ApiToken.id).where(ApiToken.user_id == tto_user.id))
    assert client.delete(f"{API}/auth/tokens/{token_id}", headers=bearer(buyer_user)).status_code == 403
    assert client.delete(f"{API}/auth/tokens/{token_id}").status_code == 401
    assert db_session.get(ApiToken, token_id).revoked_at is None


def test_garbage_bearer_token_is_anonymous(client, db_session):
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_session_login_works_for_the_api(client, tto_user):
    response = client.post("/login", data={"email": tto_user.email, "password": PASSWORD})
    assert response.status_code == 302
    me = client.get(f"{API}/me")
    assert me.status_code == 200 and me.get_json()["id"] == tto_user.id


RATE_LIMIT_SCRIPT = """
import json, sys
from app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "s" * 40, "RATELIMIT_ENABLED": True,
                  "LOGIN_RATE_LIMIT": "2 per minute", "UPLOAD_DIR": sys.argv[2], "SEARCH_INDEX_DIR": sys.argv[2]})
client = app.test_client()
body = {"email": "nobody@example.cn", "password": "wrong password"}
codes = [client.post("/api/v1/auth/tokens", json=body).status_code for _ in range(3)]
last = client.post("/api/v1/auth/tokens", json=body)
print(json.dumps({"codes": codes, "last": last.status_code, "json": last.get_json()}))
"""


def test_token_endpoint_is_rate_limited(app, tmp_path):
    """Run in a separate process: the limiter is a process-wide extension, disabled for the other tests."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", RATE_LIMIT_SCRIPT, app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path)],
        cwd=root, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["codes"] == [401, 401, 429] and outcome["last"] == 429
    assert outcome["json"]["code"] == 429  # a JSON error body, like every API error


def test_registration_is_not_an_org_takeover(client, saved, db_session):
    tto_user = saved[0]
    """Registering with an existing organisation's name is refused; users cannot join orgs by name."""
    response = client.post(f"{API}/auth/register", json={**REGISTRATION, "org_name": tto_user.organisation.name})
    assert response.status_code == 409 and "org_name" in response.get_json()["errors"]
    assert db_session.scalar(select(func.count()).select_from(User).where(User.email == REGISTRATION["email"])) == 0
