"""The authorisation matrix: every API endpoint × anonymous / member / org admin of the owning organisation /
admin of another organisation / platform admin → the expected status, generated from the tables below.

Every cell also proves that outsiders never receive a draft or a confidential value, and that a refused
request (4xx) changed nothing at all.
"""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from app.accounts.models import ApiToken
from app.core.audit import AuditEntry
from app.core.identity import Identity
from app.listings.registry import listing_services
from app.orgs.models import Organisation
from app.patents import attachments
from app.patents.models import PatentAttachment
from tests.api.conftest import ACTORS, API, DATA, build_world, pdf_bytes
from tests.factories import CREDIT_CODES

DRAFT_TITLE = "草稿：尚未公开的成果"
SECRETS = ("烧结温度曲线", "保密工艺")  # the confidential field's text and the confidential attachment's name
OUTSIDERS = ("anonymous", "other")

#            anonymous member org_admin other admin
# Listing endpoints, for patents, demands and service offers alike.
LISTING_ROWS = [
    ("list", "GET", "/{r}", None, (200, 200, 200, 200, 200)),
    ("list my drafts", "GET", "/{r}?mine=true&status=draft", None, (200, 200, 200, 200, 200)),
    ("list by owner org", "GET", "/{r}?org={owner_org}&status=draft", None, (200, 200, 200, 200, 200)),
    ("read draft", "GET", "/{r}/{draft}", None, (404, 200, 200, 404, 200)),
    ("read published", "GET", "/{r}/{published}", None, (200, 200, 200, 200, 200)),
    ("create", "POST", "/{r}", "new", (401, 201, 201, 201, 403)),
    ("edit draft", "PATCH", "/{r}/{draft}", {"title": "改过的标题"}, (401, 200, 200, 404, 403)),
    ("edit published", "PATCH", "/{r}/{published}", {"title": "改过的标题"}, (401, 200, 200, 403, 403)),
    ("delete draft", "DELETE", "/{r}/{draft}", None, (401, 403, 204, 404, 403)),
    ("delete published", "DELETE", "/{r}/{published}", None, (401, 403, 409, 403, 403)),
    ("submit draft", "POST", "/{r}/{draft}/submit", None, (401, 200, 200, 404, 403)),
    ("submit published", "POST", "/{r}/{published}/submit", None, (401, 409, 409, 403, 403)),
    ("withdraw published", "POST", "/{r}/{published}/withdraw", None, (401, 200, 200, 403, 403)),
    ("withdraw draft", "POST", "/{r}/{draft}/withdraw", None, (401, 409, 409, 404, 403)),
]

# Everything else, run in a patent world.
OTHER_ROWS = [
    ("me", "GET", "/me", None, (401, 200, 200, 200, 200)),
    ("revoke member's token", "DELETE", "/auth/tokens/{member_token}", None, (401, 204, 403, 403, 403)),
    ("org profile", "GET", "/orgs/{owner_org}", None, (200, 200, 200, 200, 200)),
    ("request verification", "POST", "/orgs/{owner_org}/verification", {"credit_code": CREDIT_CODES[2]},
     (401, 403, 409, 403, 403)),
    ("verification queue", "GET", "/admin/verifications", None, (401, 403, 403, 403, 200)),
    ("verification decision", "POST", "/admin/verifications/{other_org}", {"decision": "reject", "reason": "资料不全"},
     (401, 403, 403, 403, 200)),
    ("moderation queue", "GET", "/admin/moderation", None, (401, 403, 403, 403, 200)),
    ("bulk moderation", "POST", "/admin/moderation/bulk",
     {"resource": "patents", "ids": ["{pending}"], "decision": "approve"}, (401, 403, 403, 403, 200)),
    ("audit log", "GET", "/admin/audit", None, (401, 403, 403, 403, 200)),
    ("upload to draft", "POST", "/patents/{draft}/attachments", "pdf", (401, 201, 201, 404, 403)),
    ("upload to published", "POST", "/patents/{published}/attachments", "pdf", (401, 201, 201, 403, 403)),
    ("attachments of draft", "GET", "/patents/{draft}/attachments", None, (404, 200, 200, 404, 200)),
    ("attachments of published", "GET", "/patents/{published}/attachments", None, (200, 200, 200, 200, 200)),
    ("download draft's attachment", "GET", "/attachments/{draft_attachment}/download", None, (404, 200, 200, 404, 200)),
    ("download confidential", "GET", "/attachments/{secret_attachment}/download", None, (404, 200, 200, 404, 200)),
    ("download public", "GET", "/attachments/{public_attachment}/download", None, (200, 200, 200, 200, 200)),
    ("delete attachment", "DELETE", "/attachments/{public_attachment}", None, (401, 204, 204, 403, 403)),
    ("delete confidential", "DELETE", "/attachments/{secret_attachment}", None, (401, 204, 204, 404, 403)),
]


def _cases():
    for resource in ("patents", "demands", "services"):
        for row in LISTING_ROWS:
            for actor, status in zip(ACTORS, row[4], strict=False):
                yield pytest.param(resource, row, actor, status, id=f"{resource}:{row[0]}:{actor}")
    for row in OTHER_ROWS:
        for actor, status in zip(ACTORS, row[4], strict=False):
            yield pytest.param("patents", row, actor, status, id=f"{row[0]}:{actor}")


def _prepare(world, db_session) -> dict:
    """Values for the path placeholders, creating the objects the rows refer to."""
    values = {"r": world.resource, "draft": world.draft.id, "published": world.published.id,
              "owner_org": world.owner_org.id, "other_org": world.other_org.id}
    values["member_token"] = db_session.scalar(
        select(func.max(ApiToken.id)).where(ApiToken.user_id == world.member.id))
    if world.resource == "patents":
        owner = Identity.of(world.org_admin)
        pending = listing_services()["patents"].create(owner, DATA["patents"](title="待审核的专利"))
        listing_services()["patents"].submit(owner, pending.id)
        values["pending"] = pending.id

        def attach(patent, name, confidential):
            from werkzeug.datastructures import FileStorage

            upload = FileStorage(io.BytesIO(pdf_bytes()), name, content_type="application/pdf")
            return attachments.add(owner, patent.id, upload, confidential).id

        values["draft_attachment"] = attach(world.draft, "草稿附件.pdf", False)
        values["public_attachment"] = attach(world.published, "公开说明书.pdf", False)
        values["secret_attachment"] = attach(world.published, "保密工艺.pdf", True)
    return values


def _snapshot(world, db_session) -> dict:
    """Everything a refused request must leave alone."""
    db_session.expire_all()
    service = listing_services()[world.resource]
    system = Identity.system()
    rows = service.get_many([world.draft.id, world.published.id])
    return {
        "listings": [service.dump(system, obj) for obj in rows],
        "count": service.count_all(),
        "attachments": sorted(db_session.scalars(select(PatentAttachment.stored_name)).all()),
        "audit": db_session.scalar(select(func.count()).select_from(AuditEntry)),
        "orgs": sorted((o.id, o.verification_status.value, o.credit_code) for o in db_session.scalars(select(Organisation))),
        "tokens": sorted((t.id, t.revoked_at is None) for t in db_session.scalars(select(ApiToken))),
    }


def _fill(template, values):
    if isinstance(template, str):
        filled = template.format(**values)
        return int(filled) if template.startswith("{") and template.endswith("}") and filled.isdigit() else filled
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: _fill(item, values) for key, item in template.items()}
    return template


@pytest.mark.parametrize("resource, row, actor, expected", list(_cases()))
def test_matrix(client, db_session, resource, row, actor, expected):
    name, method, path, body, _ = row
    world = build_world(resource)
    values = _prepare(world, db_session)
    before = _snapshot(world, db_session)

    kwargs = {"headers": world.headers[actor]}
    if body == "new":
        kwargs["json"] = DATA[resource](title="矩阵测试新建条目")
    elif body == "pdf":
        kwargs.update(data={"file": (io.BytesIO(pdf_bytes()), "新附件.pdf", "application/pdf")},
                      content_type="multipart/form-data")
    elif body is not None:
        kwargs["json"] = _fill(body, values)
    response = client.open(API + path.format(**values), method=method, **kwargs)

    assert response.status_code == expected, (name, actor, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert response.is_json and response.get_json()["message"]  # a JSON error, never an HTML page
    if response.status_code >= 400 or method == "GET":
        assert _snapshot(world, db_session) == before, "a refused request or a read changed something"
    if actor in OUTSIDERS:
        text = response.get_data(as_text=True) if response.is_json else json.dumps(dict(response.headers))
        assert DRAFT_TITLE not in text, "an outsider received a draft"
        assert not any(secret in text for secret in SECRETS), "an outsider received a confidential value"
    if actor in OUTSIDERS and response.is_json and method == "GET" and response.status_code == 200:
        payload = response.get_json()
        items = payload if isinstance(payload, list) else [payload]
        assert all("confidential_details" not in item and item.get("status", "approved") == "approved"
                   for item in items if isinstance(item, dict) and "title" in item)
