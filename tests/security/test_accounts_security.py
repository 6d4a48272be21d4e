"""Accounts hardened: expiring and revocable API tokens (with their page), the password reset by e-mail
(single use, expiring), rate limits shared by every worker through Redis and counted per address and per
account behind a configured proxy, and ``INSTANCE_PATH`` honoured."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from app.accounts.models import ApiToken, PasswordReset
from app.core.models import as_utc, utcnow
from tests.factories import PASSWORD

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_index_drain(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


def _token(client, user, name="脚本") -> dict:
    response = client.post(f"{API}/auth/tokens", json={"email": user.email, "password": PASSWORD, "name": name})
    assert response.status_code == 201
    return response.get_json()


# ---------------------------------------------------------------- API tokens

def test_tokens_expire_after_the_configured_days(app, client, tto_user, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_DAYS", 7)
    token = _token(client, tto_user)
    expires = as_utc(db_session.get(ApiToken, token["id"]).expires_at)
    assert timedelta(days=6, hours=23) < expires - utcnow() <= timedelta(days=7)
    assert token["expires_at"].startswith(expires.date().isoformat())
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    db_session.get(ApiToken, token["id"]).expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert client.get(f"{API}/me", headers=headers).status_code == 401


def test_the_token_page_lists_and_revokes(client, tto_user, db_session):
    db_session.commit()
    token = _token(client, tto_user, name="ERP 对接")
    client.post("/login", data={"email": tto_user.email, "password": PASSWORD})
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "ERP 对接" in page and "有效" in page and token["token"] not in page  # the secret is never shown again
    response = client.post(f"/account/tokens/{token['id']}/revoke")
    assert response.status_code == 302
    assert "已撤销" in client.get("/account/tokens").get_data(as_text=True)
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token['token']}"}).status_code == 401


def test_the_token_page_creates_a_token_shown_once(client, tto_user, db_session):
    db_session.commit()
    client.post("/login", data={"email": tto_user.email, "password": PASSWORD})
    page = client.post("/account/tokens", data={"name": "报表脚本"}).get_data(as_text=True)
    secret = re.search(r'id="new-token">[^<]*<code>([^<]+)</code>', page).group(1)
    anonymous = client.application.test_client()
    assert anonymous.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).get_json()["id"] == tto_user.id
    assert secret not in client.get("/account/tokens").get_data(as_text=True)


def test_nobody_revokes_someone_elses_token_from_the_page(client, tto_user, buyer_user, db_session):
    db_session.commit()
    token = _token(client, tto_user)
    client.post("/login", data={"email": buyer_user.email, "password": PASSWORD})
    assert client.post(f"/account/tokens/{token['id']}/revoke").status_code == 404
    assert db_session.get(ApiToken, token["id"]).revoked_at is None


# ---------------------------------------------------------------- password reset

def _reset_link(message) -> str:
    return re.search(r"http://localhost(/password/reset/\S+)", message.get_content()).group(1)


def test_the_reset_flow_end_to_end(app, client, tto_user, db_session, smtp_server):
    db_session.commit()
    other_device = app.test_client()
    other_device.post("/login", data={"email": tto_user.email, "password": PASSWORD})
    response = client.post("/password/forgot", data={"email": tto_user.email.upper()})
    assert response.status_code == 302 and response.location == "/login"
    [message] = smtp_server
    assert message["To"] == tto_user.email and "设置新密码" in message["Subject"]
    link = _reset_link(message)
    stored = db_session.query(PasswordReset).one()
    assert link.rsplit("/", 1)[1] != stored.token_digest  # only the digest is stored
    assert 'id="password-form"' in client.get(link).get_data(as_text=True)

    short = client.post(link, data={"password": "short"})
    assert short.status_code == 422 and "10" in short.get_data(as_text=True)  # a message at the field
    assert client.post(link, data={"password": "a-brand-new-passphrase"}).status_code == 302

    assert client.post("/login", data={"email": tto_user.email, "password": PASSWORD}).status_code == 422
    assert client.post("/login", data={"email": tto_user.email, "password": "a-brand-new-passphrase"}).status_code == 302
    assert other_device.get(f"{API}/me").status_code == 401  # sessions from before the reset are over
    assert client.get(link).status_code == 404  # single use
    assert client.post(link, data={"password": "yet-another-passphrase"}).status_code == 404


def test_an_expired_reset_link_is_refused(app, client, tto_user, db_session, smtp_server):
    db_session.commit()
    client.post("/password/forgot", data={"email": tto_user.email})
    link = _reset_link(smtp_server[0])
    db_session.query(PasswordReset).one().expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    response = client.post(link, data={"password": "a-brand-new-passphrase"})
    assert response.status_code == 404 and "已过期" in response.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, tto_user, db_session, smtp_server):
    db_session.commit()
    known = client.post("/password/forgot", data={"email": tto_user.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.cn"})
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    assert [m["To"] for m in smtp_server] == [tto_user.email]


# ---------------------------------------------------------------- rate limits through Redis

LIMIT_SCRIPT = """
import json, sys
from app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "s" * 40, "RATELIMIT_ENABLED": True,
                  "LOGIN_RATE_LIMIT": "3 per minute", "REGISTER_RATE_LIMIT": "3 per minute",
                  "RATELIMIT_KEY_PREFIX": sys.argv[2], "TRUSTED_PROXIES": int(sys.argv[5]),
                  "WTF_CSRF_ENABLED": False,
                  "UPLOAD_DIR": sys.argv[3], "SEARCH_INDEX_DIR": sys.argv[3]})
client = app.test_client()
codes = []
for email, address, where in json.loads(sys.argv[4]):
    body = {"email": email, "password": "wrong password"}
    headers = {"X-Forwarded-For": address}
    if where == "register":  # a registration that fails validation (writes nothing) still counts
        response = client.post("/api/v1/auth/register", json={"email": email, "password": "short"}, headers=headers)
    elif where == "api":
        response = client.post("/api/v1/auth/tokens", json=body, headers=headers)
    else:
        response = client.post("/login", data=body, headers=headers)
    codes.append(response.status_code)
print(json.dumps({"codes": codes, "storage": app.config["RATELIMIT_STORAGE_URI"]}))
"""


def _redis_url() -> str:
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    return url


def _attempts(app, tmp_path, prefix: str, attempts: list, proxies: int = 1) -> list[int]:
    """POSTs of wrong passwords from a new worker process (its own app and limiter, the shared Redis), behind
    ``proxies`` trusted proxies."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": _redis_url()}
    result = subprocess.run([sys.executable, "-c", LIMIT_SCRIPT, app.config["SQLALCHEMY_DATABASE_URI"], prefix,
                             str(tmp_path), json.dumps(attempts), str(proxies)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["storage"].startswith("redis://")
    return outcome["codes"]


def test_the_login_limit_is_shared_by_two_workers_through_redis(app, tmp_path):
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    first = _attempts(app, tmp_path, prefix, [["a@example.cn", "203.0.113.1", "api"]] * 2)
    second = _attempts(app, tmp_path, prefix, [["a@example.cn", "203.0.113.1", "api"]] * 2)
    assert first == [401, 401] and second == [401, 429]  # 3 per minute across both processes


def test_the_limit_counts_per_account_across_addresses_and_per_address_across_accounts(app, tmp_path):
    one_account = [["victim@example.cn", f"198.51.100.{n}", "api"] for n in range(4)]
    assert _attempts(app, tmp_path, f"test-{uuid.uuid4().hex[:8]}", one_account) == [401, 401, 401, 429]
    one_address = [[f"user{n}@example.cn", "192.0.2.7", "api"] for n in range(4)]
    assert _attempts(app, tmp_path, f"test-{uuid.uuid4().hex[:8]}", one_address) == [401, 401, 401, 429]


def test_the_login_page_and_the_token_api_count_together(app, tmp_path):
    alternating = [["b@example.cn", "203.0.113.9", where] for where in ("page", "api", "page", "api")]
    assert _attempts(app, tmp_path, f"test-{uuid.uuid4().hex[:8]}", alternating) == [422, 401, 422, 429]


def test_a_forged_forwarded_for_header_buys_no_extra_attempts(app, tmp_path):
    """Only the address the trusted proxy appended counts; with no proxy configured the header is ignored."""
    behind_proxy = [[f"p{n}@example.cn", f"10.9.8.{n}, 203.0.113.77", "api"] for n in range(4)]
    assert _attempts(app, tmp_path, f"test-{uuid.uuid4().hex[:8]}", behind_proxy) == [401, 401, 401, 429]
    no_proxy = [[f"d{n}@example.cn", f"10.9.7.{n}", "api"] for n in range(4)]
    assert _attempts(app, tmp_path, f"test-{uuid.uuid4().hex[:8]}", no_proxy, proxies=0) == [401, 401, 401, 429]


def test_registration_is_limited_per_address_and_per_account_across_workers(app, tmp_path):
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    one_address = [[f"new{n}@example.cn", "192.0.2.44", "register"] for n in range(2)]
    assert _attempts(app, tmp_path, prefix, one_address) == [422, 422]
    assert _attempts(app, tmp_path, prefix, one_address) == [422, 429]  # the second worker sees the first's count
    one_account = [["same@example.cn", f"198.51.100.{n}", "register"] for n in range(4)]
    assert _attempts(app, tmp_path, f"test-{uuid.uuid4().hex[:8]}", one_account) == [422, 422, 422, 429]
    # Logins are counted apart from registrations.
    assert _attempts(app, tmp_path, prefix, [["new0@example.cn", "192.0.2.44", "api"]]) == [401]


# ---------------------------------------------------------------- INSTANCE_PATH

def test_instance_path_comes_from_the_environment(tmp_path):
    instance = tmp_path / "elsewhere"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "SEARCH_INDEX_DIR")}
    env.update(INSTANCE_PATH=str(instance), PYTHONPATH=str(ROOT))
    script = ("import json; from app import create_app; app = create_app(); print(json.dumps([app.instance_path, "
              "app.config['SQLALCHEMY_DATABASE_URI'], app.config['SEARCH_INDEX_DIR']]))")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    path, database, index = json.loads(result.stdout.strip().splitlines()[-1])
    assert path == str(instance) and str(instance) in database and index.startswith(str(instance))
    assert (instance / "secret_key").exists()  # not in the checkout's instance/ folder
