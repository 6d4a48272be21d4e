"""The authorisation matrix of the pages: every owner and admin page × anonymous / member of the owning
organisation / its org admin / admin of another organisation / platform admin, on a draft and a published
listing of the owner (the same worlds as the API matrix).

``login`` means a redirect to the login page. Every refused request (and every read) must change nothing,
and outsiders never receive a draft's title or a confidential value in any page.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.orgs.models import Organisation
from tests.api.conftest import ACTORS, DATA, build_world, pdf_bytes
from tests.api.test_auth_matrix import DRAFT_TITLE, OUTSIDERS, SECRETS, _prepare, _snapshot
from tests.web.helpers import form_data

pytestmark = pytest.mark.usefixtures("no_index_drain")

#           anonymous member  org_admin other   admin
LISTING_ROWS = [
    ("my listings", "GET", "/my/listings?resource={r}", None, (("login", 200, 200, 200, 200))),
    ("new form", "GET", "/my/{r}/new", None, ("login", 200, 200, 200, 403)),
    ("create", "POST", "/my/{r}/new", "new", ("login", 302, 302, 302, 403)),
    ("edit form of draft", "GET", "/my/{r}/{draft}/edit", None, ("login", 200, 200, 404, 403)),
    ("edit form of published", "GET", "/my/{r}/{published}/edit", None, ("login", 200, 200, 403, 403)),
    ("edit draft", "POST", "/my/{r}/{draft}/edit", "edit", ("login", 302, 302, 404, 403)),
    ("edit published", "POST", "/my/{r}/{published}/edit", "edit", ("login", 302, 302, 403, 403)),
    ("submit draft", "POST", "/my/{r}/{draft}/submit", None, ("login", 302, 302, 404, 403)),
    ("submit published", "POST", "/my/{r}/{published}/submit", None, ("login", 409, 409, 403, 403)),
    ("withdraw published", "POST", "/my/{r}/{published}/withdraw", None, ("login", 302, 302, 403, 403)),
    ("withdraw draft", "POST", "/my/{r}/{draft}/withdraw", None, ("login", 409, 409, 404, 403)),
    ("delete draft", "POST", "/my/{r}/{draft}/delete", None, ("login", 403, 302, 404, 403)),
    ("delete published", "POST", "/my/{r}/{published}/delete", None, ("login", 403, 409, 403, 403)),
]

# Everything else, in a patent world.
OTHER_ROWS = [
    ("upload to draft", "POST", "/my/patents/{draft}/attachments", "pdf", ("login", 302, 302, 404, 403)),
    ("upload to published", "POST", "/my/patents/{published}/attachments", "pdf", ("login", 302, 302, 403, 403)),
    ("delete attachment", "POST", "/my/patents/{published}/attachments/{public_attachment}/delete", None,
     ("login", 302, 302, 403, 403)),
    ("delete confidential attachment", "POST", "/my/patents/{published}/attachments/{secret_attachment}/delete", None,
     ("login", 302, 302, 404, 403)),
    ("register form", "GET", "/register", None, (200, 302, 302, 302, 302)),
    ("account", "GET", "/account", None, ("login", 200, 200, 200, 200)),
    ("ask for verification", "POST", "/account", {"credit_code": "91310000MA1FL1MMXL"}, ("login", 403, 409, 409, 409)),
    ("review queue", "GET", "/admin/moderation", None, ("login", 403, 403, 403, 200)),
    ("bulk decision", "POST", "/admin/moderation", {"items": "patents:{pending}", "decision": "approve"},
     ("login", 403, 403, 403, 302)),
    ("verification queue", "GET", "/admin/verifications/", None, ("login", 403, 403, 403, 200)),
    ("verification decision", "POST", "/admin/verifications/{other_org}", {"decision": "reject", "reason": "资料不全"},
     ("login", 403, 403, 403, 302)),
    ("audit log", "GET", "/admin/audit", None, ("login", 403, 403, 403, 200)),
    ("market figures", "GET", "/admin/dashboard", None, ("login", 403, 403, 403, 200)),
]


def _cases():
    for resource in ("patents", "demands", "services"):
        for row in LISTING_ROWS:
            for actor, expected in zip(ACTORS, row[4], strict=False):
                yield pytest.param(resource, row, actor, expected, id=f"{resource}:{row[0]}:{actor}")
    for row in OTHER_ROWS:
        for actor, expected in zip(ACTORS, row[4], strict=False):
            yield pytest.param("patents", row, actor, expected, id=f"{row[0]}:{actor}")


def _body(kind, resource: str, values: dict):
    if kind == "new":
        return form_data(resource, DATA[resource](title="矩阵测试新建条目"))
    if kind == "edit":
        return form_data(resource, DATA[resource](title="改过的标题"))
    if kind == "pdf":
        return {"file": (io.BytesIO(pdf_bytes()), "新附件.pdf", "application/pdf")}
    return {key: value.format(**values) for key, value in kind.items()} if kind else None


@pytest.mark.parametrize("resource, row, actor, expected", list(_cases()))
def test_page_matrix(login, db_session, resource, row, actor, expected):
    name, method, path, body, _ = row
    world = build_world(resource)
    values = _prepare(world, db_session)
    before = _snapshot(world, db_session)
    users = {"anonymous": None, "member": world.member, "org_admin": world.org_admin, "other": world.other,
             "admin": world.admin}

    client = login(users[actor])
    response = client.open(path.format(**values), method=method, data=_body(body, resource, values))

    if expected == "login":
        assert response.status_code == 302 and response.location.startswith("/login?next="), (name, actor)
    else:
        assert response.status_code == expected, (name, actor, response.get_data(as_text=True)[:400])
    if response.status_code == 302 and expected != "login":
        assert not response.location.startswith("/login")
    if response.status_code >= 400 or method == "GET" or expected == "login":
        assert _snapshot(world, db_session) == before, "a refused request or a read changed something"
    if actor in OUTSIDERS:
        text = response.get_data(as_text=True)
        assert DRAFT_TITLE not in text, "an outsider received a draft"
        assert not any(secret in text for secret in SECRETS), "an outsider received a confidential value"


def test_other_organisations_listings_never_appear_in_my_listings(login, db_session):
    world = build_world("patents")
    page = login(world.other).get("/my/listings?resource=patents&status=draft").get_data(as_text=True)
    assert DRAFT_TITLE not in page and world.published.title not in page
    own = login(world.member).get("/my/listings?resource=patents&status=draft").get_data(as_text=True)
    assert DRAFT_TITLE in own


def test_a_refused_verification_decision_leaves_the_organisation_alone(login, db_session):
    world = build_world("patents")
    response = login(world.org_admin).post(f"/admin/verifications/{world.other_org.id}", data={"decision": "verify"})
    assert response.status_code == 403
    db_session.expire_all()
    org = db_session.scalar(select(Organisation).where(Organisation.id == world.other_org.id))
    assert org.verification_status.value == "verified" and org.verification_note is None
