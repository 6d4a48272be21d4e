"""Portfolio upload and download over HTTP: the API (JSON reports) and the page (a result table), with
forbidden access tried as carefully as the happy path."""
from __future__ import annotations

import io
import json

import pytest

from app.accounts.models import Role
from app.demands.models import TechDemand
from app.listings.models import ListingStatus
from app.patents.models import Patent
from app.patents.service import patents_service
from tests.factories import OrganisationFactory, UserFactory, bearer

API = "/api/v1/portfolio"
GOOD = {"external_id": "P-1", "title": "一种图像识别方法", "abstract": "基于卷积神经网络的图像识别方法，准确率高。",
        "ipc": ["G06V 10/82"]}
MIXED = "\n".join([json.dumps(GOOD, ensure_ascii=False), "{bad", json.dumps({"external_id": "P-3", "title": "短"})]) + "\n"


def upload(client, resource, user, text=MIXED, filename="portfolio.jsonl", query=""):
    return client.post(f"{API}/import/{resource}{query}", headers=bearer(user), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode("utf-8")), filename)})


def test_a_tto_uploads_a_mixed_file_and_gets_line_errors(client, university, tto_user):
    response = upload(client, "patents", tto_user)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["read"], body["imported"], body["failed"]) == (3, 1, 2)
    assert [e["line"] for e in body["errors"]] == [2, 3] and "abstract" in body["errors"][1]["errors"]
    assert patents_service.find_external(university.id, "P-1").status == ListingStatus.draft
    assert upload(client, "patents", tto_user).get_json()["unchanged"] == 1


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("buyer", 403), ("provider", 403)])
def test_others_may_not_import_patents_and_nothing_is_written(client, who, status, buyer_user, provider_user):
    user = {"anonymous": None, "buyer": buyer_user, "provider": provider_user}[who]
    response = upload(client, "patents", user, text=json.dumps(GOOD) + "\n")
    assert response.status_code == status and response.get_json()["code"] == status
    assert Patent.query.count() == 0


def test_a_member_may_not_import_into_another_organisation_but_a_platform_admin_may(
        client, university, tto_user, admin_user, db_session):
    other = OrganisationFactory(name="另一所大学")
    member = UserFactory(organisation=university, role=Role.member)
    denied = upload(client, "patents", member, query=f"?org_id={other.id}")
    assert denied.status_code == 403 and Patent.query.count() == 0
    assert upload(client, "patents", tto_user, query="?publish=true").status_code == 403  # owners do not self-publish
    allowed = upload(client, "patents", admin_user, query=f"?org_id={other.id}&publish=true")
    assert allowed.status_code == 200 and allowed.get_json()["imported"] == 1
    assert patents_service.find_external(other.id, "P-1").status == ListingStatus.approved
    assert upload(client, "patents", admin_user, query="?org_id=999999").status_code == 404


def test_unreadable_uploads_are_422_naming_the_file(client, enterprise, buyer_user):
    odd = upload(client, "demands", buyer_user, filename="demands.xlsx")
    assert odd.status_code == 422 and "file" in odd.get_json()["errors"]
    binary = client.post(f"{API}/import/demands", headers=bearer(buyer_user), content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"\xff\xfe\x00\xd8\x00"), "demands.jsonl")})
    assert binary.status_code == 422 and "file" in binary.get_json()["errors"]
    missing = client.post(f"{API}/import/demands", headers=bearer(buyer_user), content_type="multipart/form-data", data={})
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    assert client.post(f"{API}/import/deals", headers=bearer(buyer_user)).status_code == 404
    assert TechDemand.query.count() == 0


@pytest.mark.parametrize("fmt, mimetype", [("jsonl", "application/x-ndjson"), ("csv", "text/csv")])
def test_export_downloads_round_trip_and_stay_inside_the_organisation(client, university, tto_user, buyer_user, fmt, mimetype):
    upload(client, "patents", tto_user, text=json.dumps({**GOOD, "keywords": ["图像", "识别"]}, ensure_ascii=False) + "\n")
    response = client.get(f"{API}/export/patents?format={fmt}", headers=bearer(tto_user))
    assert response.status_code == 200 and response.mimetype == mimetype
    assert f'filename="patents.{fmt}"' in response.headers["Content-Disposition"]
    again = client.post(f"{API}/import/patents", headers=bearer(tto_user), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(response.data), f"patents.{fmt}")})
    assert again.get_json()["unchanged"] == 1
    assert client.get(f"{API}/export/patents?org_id={university.id}", headers=bearer(buyer_user)).status_code == 403
    assert client.get(f"{API}/export/patents", headers=bearer(buyer_user)).status_code == 403  # enterprises post none
    assert client.get(f"{API}/export/patents").status_code == 401
    assert client.get(f"{API}/export/patents?format=xlsx", headers=bearer(tto_user)).status_code == 422


@pytest.fixture
def browser(app, client):
    """A client without cookies: each page request is authenticated by its bearer header alone (a session
    cookie without a login would make Flask-Login's strong session protection ignore the header)."""
    return app.test_client(use_cookies=False)


def test_the_page_shows_the_form_and_a_result_table_with_line_numbers(browser, university, tto_user):
    client = browser
    page = client.get("/portfolio/", headers=bearer(tto_user))
    assert page.status_code == 200 and 'name="file"' in page.text and 'value="patents"' in page.text
    assert "批量导入与导出" in page.text  # Chinese by default
    assert 'value="demands"' not in page.text  # a university posts patents only
    result = client.post("/portfolio/", headers=bearer(tto_user), content_type="multipart/form-data",
                         data={"resource": "patents", "file": (io.BytesIO(MIXED.encode()), "mine.jsonl")})
    assert result.status_code == 200
    rows = result.text.split('class="line-errors"')[1]
    assert "<td>2</td>" in rows and "<td>3</td>" in rows and "abstract:" in rows
    assert patents_service.find_external(university.id, "P-1") is not None


def test_the_page_refuses_wrong_resources_missing_files_and_anonymous_users(browser, university, tto_user):
    client = browser
    wrong = client.post("/portfolio/", headers=bearer(tto_user), content_type="multipart/form-data",
                        data={"resource": "demands", "file": (io.BytesIO(b"{}\n"), "d.jsonl")})
    assert wrong.status_code == 422 and "flash error" in wrong.text
    empty = client.post("/portfolio/", headers=bearer(tto_user), content_type="multipart/form-data",
                        data={"resource": "patents"})
    assert empty.status_code == 422
    odd = client.post("/portfolio/", headers=bearer(tto_user), content_type="multipart/form-data",
                      data={"resource": "patents", "file": (io.BytesIO(b"x"), "p.xlsx")})
    assert odd.status_code == 422 and "p.xlsx" in odd.text
    anonymous = client.get("/portfolio/")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login?next=")
    assert Patent.query.count() == 0 and TechDemand.query.count() == 0
