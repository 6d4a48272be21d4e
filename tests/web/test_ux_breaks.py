"""The "smaller breaks" of issue 11, one test each: what a user met and what they meet now."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.formatting import local_today
from app.core.validators import normalise_patent_number
from app.listings.models import ListingStatus
from app.patents.form import FORM as PATENT_FORM
from app.patents.models import Patent
from tests.factories import UserFactory, demand_data, make_listing, patent_data
from tests.web.helpers import errors_of, form_data

pytestmark = pytest.mark.usefixtures("no_index_drain")
TRANSLATIONS = Path(__file__).parents[2] / "app" / "translations"


def _count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Patent))


def test_the_example_patent_numbers_pass_their_own_check(app):
    field = next(f for section in PATENT_FORM for f in section.fields if f.name == "patent_number")
    examples = re.findall(r"\b(?:CN|ZL)[\dA-Z.]+", str(field.help))
    assert len(examples) == 3
    for example in examples:
        assert normalise_patent_number(example)  # raises on a wrong check digit


def test_a_password_mismatch_does_not_hide_the_other_errors(client):
    page = client.post("/register", data={"org_name": "", "org_kind": "university", "region": "江苏",
                                          "display_name": "王老师", "email": "not-an-address",
                                          "password": "a-long-passphrase", "password_confirm": "another-one"})
    assert page.status_code == 422
    assert errors_of(page.text, "password_confirm") == ["两次输入的密码不一致。"]
    assert errors_of(page.text, "email") and errors_of(page.text, "org_name")


def test_an_empty_indicator_row_survives_a_failed_save(login, db_session, tto_user):
    data = form_data("patents", patent_data(title="", indicators=[]))
    response = login(tto_user).post("/my/patents/new", data=data)
    assert response.status_code == 422 and _count(db_session) == 0
    rows = response.text.split('data-rows="indicators"')[1].split("</table>")[0]
    assert rows.count('name="indicators-name"') == 1  # the empty row to type into is still there


@pytest.mark.parametrize("resource, change, field, message", [
    ("patents", {"application_date": (local_today() + timedelta(days=400)).isoformat()}, "application_date",
     "日期不能晚于今天。"),
    ("patents", {"grant_date": "2099-01-01"}, "grant_date", "日期不能晚于今天。"),
    ("demands", {"valid_until": "2099-12-31"}, "valid_until", "有效期须在 30 年以内。"),
])
def test_dates_in_the_future_or_absurdly_far_are_refused_next_to_the_field(login, tto_user, buyer_user, resource,
                                                                          change, field, message):
    user, data = (tto_user, patent_data) if resource == "patents" else (buyer_user, demand_data)
    response = login(user).post(f"/my/{resource}/new", data=form_data(resource, data(**change)))
    assert response.status_code == 422
    assert errors_of(response.text, field) == [message]


def test_the_api_refuses_a_future_application_date_naming_the_field(client, tto_user):
    from tests.factories import bearer

    body = patent_data(application_date="2030-01-01")
    response = client.post("/api/v1/patents", json=body, headers=bearer(tto_user))
    assert response.status_code == 422 and "application_date" in response.get_json()["errors"]


def test_service_orders_new_offers_the_services_to_order(login, app_engine, provider, buyer_user):
    offer = make_listing("services", provider)
    client = login(buyer_user)
    page = client.get("/service-orders/new")
    assert page.status_code == 200 and offer.title in page.text
    assert f"/service-orders/new?offer_id={offer.id}" in page.text
    assert client.get(f"/service-orders/new?offer_id={offer.id}").status_code == 200
    assert 'href="/service-orders/new"' in client.get("/service-orders/").text


def test_one_term_for_pilot_and_testing_everywhere():
    for language in ("zh",):
        text = (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        msgstrs = re.findall(r'^msgstr "(.*)"$', text, re.M)
        assert not [s for s in msgstrs if "中试与检测" in s or "中试、检验检测" in s]
        assert any("中试与检验检测" in s for s in msgstrs)


def test_sellers_do_not_see_the_buyers_hint(login, tto_user, buyer_user):
    assert 'id="buyer-hint"' in login(buyer_user).get("/deals/").text
    assert 'id="buyer-hint"' not in login(tto_user).get("/deals/").text


def test_my_listings_are_searched_and_filtered(login, university, tto_user):
    make_listing("patents", university, status="draft", title="石墨烯导热膜的制备方法")
    make_listing("patents", university, status="pending", title="石墨烯散热涂层")
    make_listing("patents", university, status="draft", title="一种钙钛矿太阳能电池")
    client = login(tto_user)
    found = client.get("/my/listings?resource=patents&q=石墨烯").text
    assert found.count("<tr data-id=") == 2 and "钙钛矿" not in found
    drafts = client.get("/my/listings?resource=patents&q=石墨烯&status=draft").text
    assert drafts.count("<tr data-id=") == 1 and "导热膜" in drafts
    assert "没有符合搜索条件的内容" in client.get("/my/listings?resource=patents&q=不存在的词").text
    assert 'id="listing-search"' in found and 'name="q" value="石墨烯"' in found


def test_a_new_patent_is_saved_and_submitted_in_one_step(login, db_session, tto_user):
    client = login(tto_user)
    assert 'id="save-and-submit"' in client.get("/my/patents/new").text
    response = client.post("/my/patents/new", data=form_data("patents", patent_data(), _submit="1"))
    assert response.status_code == 302
    patent = db_session.scalars(select(Patent)).one()
    assert patent.status == ListingStatus.pending


def test_an_unverified_organisation_gets_no_save_and_submit(login, university):
    from app.orgs.models import OrgKind, VerificationStatus
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(kind=OrgKind.university, verification_status=VerificationStatus.unverified)
    user = UserFactory(organisation=org, role=Role.org_admin)
    assert 'id="save-and-submit"' not in login(user).get("/my/patents/new").text


def test_the_new_deal_form_explains_a_missing_field_in_chinese(login, app_engine, university, buyer_user):
    patent = make_listing("patents", university)
    page = login(buyer_user).post("/deals/new", data={"patent_id": patent.id, "message": ""})
    assert page.status_code == 422
    assert "Missing data" not in page.text and "may not be" not in page.text
    assert re.search(r'class="flash error">[^<]*[\u4e00-\u9fff]', page.text)
