"""Owners' listing pages: "My listings" with status badges and 整改 reasons, the create/edit forms of patents,
demands and service offers (every field, indicator rows added and removed), submit / withdraw / delete,
and PDF attachments. Bad input is a message next to its field and writes nothing."""
from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.formatting import local_today
from app.demands.models import TechDemand
from app.listings.models import ListingStatus, Visibility
from app.orgs.models import OrgKind, VerificationStatus
from app.patents.models import Patent, PatentAttachment
from app.service_offers.models import ServiceOffer
from tests.api.conftest import pdf_bytes
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    demand_data,
    make_listing,
    patent_data,
    patent_number,
    service_data,
)
from tests.web.helpers import errors_of, form_data

pytestmark = pytest.mark.usefixtures("no_index_drain")
MODELS = {"patents": Patent, "demands": TechDemand, "services": ServiceOffer}
DATA = {"patents": patent_data, "demands": demand_data, "services": service_data}


@pytest.fixture
def member(university):
    return UserFactory(organisation=university, role=Role.member)


def _count(db_session, resource: str) -> int:
    return db_session.scalar(select(func.count()).select_from(MODELS[resource]))


def _reload(db_session, obj):
    db_session.expire_all()
    return db_session.get(type(obj), obj.id)


# ---------------------------------------------------------------- My listings


def test_my_listings_shows_each_status_and_the_moderators_reasons(login, university, tto_user, enterprise):
    make_listing("patents", university, status="draft", title="草稿状态的专利")
    make_listing("patents", university, status="needs_revision", title="需要整改的专利")
    make_listing("patents", university, status="approved", title="已经发布的专利")
    make_listing("demands", enterprise, status="approved", title="别家企业的需求")
    page = login(tto_user).get("/my/listings").get_data(as_text=True)
    assert "草稿状态的专利" in page and "需要整改的专利" in page and "已经发布的专利" in page
    assert "别家企业的需求" not in page
    assert "status-draft" in page and "status-needs_revision" in page and "status-approved" in page
    assert "整改意见" in page and "需补充材料" in page  # the reason make_listing gives
    assert ">专利 <small>3</small>" in page and "技术需求" not in page.split('<nav class="tabs">')[1].split("</nav>")[0]
    only_revision = login(tto_user).get("/my/listings?status=needs_revision").get_data(as_text=True)
    assert "需要整改的专利" in only_revision and "草稿状态的专利" not in only_revision


def test_my_listings_pages_through_many_listings(login, university, tto_user):
    for i in range(23):
        make_listing("patents", university, status="draft", title=f"批量专利第{i:02d}号")
    client = login(tto_user)
    first, second = client.get("/my/listings").get_data(as_text=True), client.get("/my/listings?page=2").get_data(as_text=True)
    assert "第 1 / 2 页" in first and first.count('<tr data-id=') == 20 and second.count('<tr data-id=') == 3


def test_buttons_follow_status_role_and_verification(login, db_session, university, tto_user, member):
    draft = make_listing("patents", university, status="draft")
    published = make_listing("patents", university, status="approved")
    page = login(tto_user).get("/my/listings").get_data(as_text=True)
    row = page.split(f'<tr data-id="{draft.id}">')[1].split("</tr>")[0]
    assert "提交审核" in row and "删除" in row and "撤回" not in row
    row = page.split(f'<tr data-id="{published.id}">')[1].split("</tr>")[0]
    assert "撤回" in row and "提交审核" not in row and "删除" not in row
    assert "删除" not in login(member).get("/my/listings").get_data(as_text=True).split(f'<tr data-id="{draft.id}">')[1]
    university.verification_status = VerificationStatus.pending
    page = login(tto_user).get("/my/listings").get_data(as_text=True)
    assert "只有认证机构才能提交审核" in page and "提交审核</button>" not in page


# ---------------------------------------------------------------- creating, with every field


def test_a_patent_with_every_field_is_created_as_a_draft(login, db_session, university, member):
    number = patent_number()
    data = form_data("patents", patent_data(
        patent_number=number.lower(), ipc=["g06f16/35", "H01M 4/525"], inventors=["张三", "李四"], applicant="示范大学",
        application_date="2023-01-05", grant_date="2024-03-01", legal_status="granted", patent_type="invention",
        claims="一种高镍三元正极材料，其特征在于……", price_negotiable=True,
        indicators=[{"name": "能量密度", "comparator": "eq", "value": 300, "unit": "Wh/kg"},
                    {"name": "循环寿命", "comparator": "range", "value": 1500, "value_max": 2000, "unit": "次"}]))
    data.setlist("keywords", ["正极材料，锂电池；高镍"])
    response = login(member).post("/my/patents/new", data=data)
    assert response.status_code == 302
    patent = db_session.scalars(select(Patent).where(Patent.org_id == university.id)).one()
    assert response.location == f"/my/patents/{patent.id}/edit"
    assert patent.status == ListingStatus.draft and patent.patent_number == number
    assert patent.ipc_codes == ["G06F 16/35", "H01M 4/525"] and patent.inventors == ["张三", "李四"]
    assert patent.keywords == ["正极材料", "锂电池", "高镍"] and patent.coop_modes == ["assignment", "exclusive_licence"]
    assert patent.grant_date == date(2024, 3, 1) and patent.legal_status.value == "granted" and patent.trl == 6
    assert float(patent.asking_price) == 1200000 and patent.price_negotiable is True
    assert [(i.name, i.comparator, i.value, i.value_max, i.unit) for i in patent.indicators] == [
        ("能量密度", "eq", 300, None, "Wh/kg"), ("循环寿命", "range", 1500, 2000, "次")]
    assert patent.confidential_details.startswith("烧结温度曲线")


def test_blank_rows_and_blank_optional_fields_are_left_out(login, db_session, university, member):
    data = form_data("patents", {"title": "一种最简单的专利", "abstract": "只填了必填项的专利摘要，其余留空。",
                                 "price_negotiable": True})
    data.setlist("indicators-name", ["", ""])
    data.setlist("indicators-comparator", ["eq", "range"])
    data.setlist("indicators-value", ["", ""])
    data.setlist("indicators-value_max", ["", ""])
    data.setlist("indicators-unit", ["", ""])
    assert login(member).post("/my/patents/new", data=data).status_code == 302
    patent = db_session.scalars(select(Patent)).one()
    assert patent.indicators == [] and patent.patent_number is None and patent.maturity is None
    assert patent.asking_price is None and patent.ipc_codes == []


def test_a_demand_and_a_service_offer_with_their_own_fields(login, db_session, buyer_user, provider_user):
    until = (local_today() + timedelta(days=30)).isoformat()
    data = form_data("demands", demand_data(valid_until=until, visibility="members", needs_pilot=True,
                                            ipc=["H01M 4/525"]))
    assert login(buyer_user).post("/my/demands/new", data=data).status_code == 302
    demand = db_session.scalars(select(TechDemand)).one()
    assert demand.valid_until.isoformat() == until and demand.visibility == Visibility.members
    assert demand.needs_pilot and not demand.needs_inspection and float(demand.budget_max) == 2000000
    assert demand.indicators[0].comparator == "gte"

    data = form_data("services", service_data(qualifications=[{"type": "CMA", "number": "CMA 2023-001"},
                                                              {"type": "CNAS", "number": "CNAS L12345"}]))
    assert login(provider_user).post("/my/services/new", data=data).status_code == 302
    offer = db_session.scalars(select(ServiceOffer)).one()
    assert offer.qualifications == [{"type": "CMA", "number": "CMA 2023-001"}, {"type": "CNAS", "number": "CNAS L12345"}]
    assert offer.kind.value == "pilot" and offer.lead_time_days == 30 and offer.industries == ["新能源"]


def test_a_new_demand_form_shows_the_default_validity_and_one_empty_indicator_row(login, buyer_user):
    page = login(buyer_user).get("/my/demands/new").get_data(as_text=True)
    assert f'value="{(local_today() + timedelta(days=180)).isoformat()}"' in page
    assert page.count('name="indicators-name"') == 2  # one row, one in the row template


# ---------------------------------------------------------------- bad input


PATENT_ERRORS = [
    ({"patent_number": "CN202310123456.0"}, "patent_number", "校验位错误：申请号 202310123456 的校验位应为 6，而不是 0。"),
    ({"patent_number": "US1234567"}, "patent_number", "不是有效的中国专利号"),
    ({"ipc": ["G06F 16/35", "not an ipc"]}, "ipc", "“not an ipc”不是有效的 IPC 分类号"),
    ({"price": -5}, "price", "请输入 0 至 1,000,000,000,000 之间的数值"),
    ({"price": None, "price_negotiable": False}, "price", "请填写挂牌价格，或勾选“面议”"),
    ({"trl": 12}, "trl", "请输入 1 至 9 之间的数值"),
    ({"trl": "高"}, "trl", "请输入整数"),
    ({"title": ""}, "title", "请输入 2 至 300 个字符"),
    ({"title": "长" * 301}, "title", "请输入 2 至 300 个字符"),
    ({"application_date": "2024-05-01", "grant_date": "2023-01-01"}, "grant_date", "授权日不能早于申请日"),
    ({"application_date": "2024-02-30"}, "application_date", "请输入日期"),
    ({"maturity": "prototype"}, "maturity", "请从给定的选项中选择"),
]


@pytest.mark.parametrize("change, field, message", PATENT_ERRORS, ids=[f"{c[1]}-{i}" for i, c in enumerate(PATENT_ERRORS)])
def test_bad_patent_fields_are_messages_next_to_them_and_nothing_is_written(login, db_session, member, change, field,
                                                                           message):
    client = login(member)
    before = _count(db_session, "patents")
    response = client.post("/my/patents/new", data=form_data("patents", patent_data(**change)))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in m for m in errors_of(page, field)), errors_of(page, field)
    assert _count(db_session, "patents") == before
    assert "一种高镍三元正极材料的制备方法" in page or field == "title"  # what was typed is shown again


def test_a_bad_indicator_row_is_named_by_its_column(login, db_session, member):
    data = form_data("patents", patent_data(indicators=[
        {"name": "能量密度", "comparator": "eq", "value": 300, "unit": "Wh/kg"},
        {"name": "循环寿命", "comparator": "range", "value": 2000, "value_max": 1500, "unit": "次"}]))
    response = login(member).post("/my/patents/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and _count(db_session, "patents") == 0
    row_errors = page.split('class="row-errors"')
    assert len(row_errors) == 2 and "上限（范围）：下限不能大于上限。" in row_errors[1]
    # the two sent rows, an empty one to type into (it survives the failed save), the template
    assert page.count('name="indicators-name"') == 4 and 'value="循环寿命"' in page


@pytest.mark.parametrize("resource, change, field, message", [
    ("demands", {"valid_until": "2001-01-01"}, "valid_until", "有效期不能早于今天"),
    ("demands", {"budget_min": 3000000, "budget_max": 100}, "budget_max", "预算上限不能低于预算下限"),
    ("demands", {"budget_min": -1}, "budget_min", "请输入 0 至"),
    ("demands", {"description": "太短"}, "description", "请输入 10 至 10,000 个字符"),
    ("services", {"lead_time_days": -3}, "lead_time_days", "请输入 0 至 3,650 之间的数值"),
    ("services", {"kind": "factory"}, "kind", "请从给定的选项中选择"),
])
def test_bad_demand_and_service_fields(login, db_session, buyer_user, provider_user, resource, change, field, message):
    user = buyer_user if resource == "demands" else provider_user
    response = login(user).post(f"/my/{resource}/new", data=form_data(resource, DATA[resource](**change)))
    assert response.status_code == 422
    assert any(message in m for m in errors_of(response.get_data(as_text=True), field))
    assert _count(db_session, resource) == 0


def test_a_bad_qualification_row(login, db_session, provider_user):
    data = form_data("services", service_data(qualifications=[{"type": "CMA", "number": "x"}]))
    response = login(provider_user).post("/my/services/new", data=data)
    assert response.status_code == 422 and "证书编号：请输入 3 至 64 个字符。" in response.get_data(as_text=True)


# ---------------------------------------------------------------- rows without JavaScript


def test_rows_are_added_and_removed_without_javascript_and_nothing_is_saved(login, db_session, member):
    client = login(member)
    data = form_data("patents", patent_data(), _rows="add:indicators")
    page = client.post("/my/patents/new", data=data).get_data(as_text=True)
    assert page.count('name="indicators-name"') == 3  # the row, a new empty one, the template
    data = form_data("patents", patent_data(indicators=[{"name": "甲", "value": 1}, {"name": "乙", "value": 2}]),
                     _rows="remove:indicators:0")
    page = client.post("/my/patents/new", data=data).get_data(as_text=True)
    assert 'value="乙"' in page and 'value="甲"' not in page
    assert _count(db_session, "patents") == 0


# ---------------------------------------------------------------- editing


def test_the_edit_form_is_filled_and_saves_a_draft(login, db_session, university, member):
    draft = make_listing("patents", university, status="draft")
    client = login(member)
    page = client.get(f"/my/patents/{draft.id}/edit").get_data(as_text=True)
    assert 'value="能量密度"' in page and 'value="H01M 4/525"' in page and 'value="1200000"' in page
    assert "烧结温度曲线" in page  # the owner sees the confidential field
    data = form_data("patents", patent_data(title="改过标题的专利", indicators=[]))
    assert client.post(f"/my/patents/{draft.id}/edit", data=data).status_code == 302
    draft = _reload(db_session, draft)
    assert draft.title == "改过标题的专利" and draft.indicators == []


def test_a_bad_edit_changes_nothing(login, db_session, university, member):
    draft = make_listing("patents", university, status="draft")
    response = login(member).post(f"/my/patents/{draft.id}/edit",
                                  data=form_data("patents", patent_data(title="新标题", ipc=["XX"])))
    assert response.status_code == 422 and errors_of(response.get_data(as_text=True), "ipc")
    assert _reload(db_session, draft).title == "一种高镍三元正极材料的制备方法"


def test_edits_of_a_published_listing_wait_for_review(login, db_session, university, member):
    published = make_listing("patents", university, status="approved")
    client = login(member)
    response = client.post(f"/my/patents/{published.id}/edit",
                           data=form_data("patents", patent_data(title="待审核的新标题")))
    assert response.status_code == 302
    assert "修改经审核通过前，线上仍显示已发布的版本" in client.get(response.location).get_data(as_text=True)
    published = _reload(db_session, published)
    assert published.title == "一种高镍三元正极材料的制备方法" and published.pending_changes["title"] == "待审核的新标题"
    page = client.get(f"/my/patents/{published.id}/edit").get_data(as_text=True)
    assert 'value="待审核的新标题"' in page and "修改待审核" in page  # the owner goes on editing the queued version


def test_a_rejected_listing_shows_its_reasons_but_no_form(login, db_session, university, tto_user):
    rejected = make_listing("patents", university, status="rejected")
    client = login(tto_user)
    page = client.get(f"/my/patents/{rejected.id}/edit").get_data(as_text=True)
    assert "已驳回" in page and "需补充材料" in page and 'id="listing-form"' not in page and "删除" in page
    response = client.post(f"/my/patents/{rejected.id}/edit", data=form_data("patents", patent_data(title="再试一次")))
    assert response.status_code == 409 and _reload(db_session, rejected).title != "再试一次"


# ---------------------------------------------------------------- transitions


def test_submit_withdraw_and_delete(login, db_session, university, tto_user):
    draft = make_listing("patents", university, status="draft")
    client = login(tto_user)
    response = client.post(f"/my/patents/{draft.id}/submit", headers={"Referer": "http://localhost/my/listings"})
    assert response.location == "http://localhost/my/listings"
    assert _reload(db_session, draft).status == ListingStatus.pending
    assert client.post(f"/my/patents/{draft.id}/withdraw").location == f"/my/patents/{draft.id}/edit"
    assert _reload(db_session, draft).status == ListingStatus.withdrawn
    assert client.post(f"/my/patents/{draft.id}/delete").location == "/my/listings?resource=patents"
    assert _count(db_session, "patents") == 0


def test_an_unverified_organisation_cannot_submit(login, db_session, tto_user):
    org = OrganisationFactory(name="尚未认证的大学", kind=OrgKind.university,
                              verification_status=VerificationStatus.unverified)
    user = UserFactory(organisation=org, role=Role.org_admin)
    client = login(user)
    assert client.post("/my/patents/new", data=form_data("patents", patent_data())).status_code == 302
    patent = db_session.scalars(select(Patent).where(Patent.org_id == org.id)).one()
    page = client.get(f"/my/patents/{patent.id}/edit").get_data(as_text=True)
    assert "申请认证" in page and "提交审核</button>" not in page
    assert client.post(f"/my/patents/{patent.id}/submit").status_code == 403
    assert _reload(db_session, patent).status == ListingStatus.draft


@pytest.mark.parametrize("path", ["/my/bogus/new", "/my/bogus/1/edit", "/my/patents/999999/edit"])
def test_unknown_resources_and_listings_are_404(login, tto_user, path):
    assert login(tto_user).get(path).status_code == 404


def test_organisations_only_post_their_kind_of_listing(login, buyer_user, admin_user):
    assert login(buyer_user).get("/my/patents/new").status_code == 403
    assert login(buyer_user).get("/my/demands/new").status_code == 200
    assert login(admin_user).get("/my/services/new").status_code == 403


# ---------------------------------------------------------------- attachments


def _upload(client, patent_id, content: bytes, name="说明书.pdf", mimetype="application/pdf", **form):
    return client.post(f"/my/patents/{patent_id}/attachments",
                       data={"file": (io.BytesIO(content), name, mimetype), **form})


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / "patents"
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


def test_a_pdf_is_attached_listed_and_deleted(app, login, db_session, university, member):
    draft = make_listing("patents", university, status="draft")
    client = login(member)
    response = _upload(client, draft.id, pdf_bytes(), confidential="on")
    assert response.status_code == 302
    attachment = db_session.scalars(select(PatentAttachment).where(PatentAttachment.patent_id == draft.id)).one()
    assert attachment.confidential and attachment.filename == "说明书.pdf"
    page = client.get(f"/my/patents/{draft.id}/edit").get_data(as_text=True)
    assert "说明书.pdf" in page and f"/api/v1/attachments/{attachment.id}/download" in page
    assert client.post(f"/my/patents/{draft.id}/attachments/{attachment.id}/delete").status_code == 302
    assert db_session.scalar(select(func.count()).select_from(PatentAttachment)) == 0


@pytest.mark.parametrize("content, name, mimetype, message", [
    (b"just text", "notes.txt", "text/plain", "只能上传 PDF 文件。"),
    (b"%PDF-1.4 but broken", "broken.pdf", "application/pdf", "无法读取该 PDF 文件。"),
    (b"GIF89a....", "image.pdf", "application/pdf", "该文件不是 PDF 文件。"),
])
def test_a_wrong_file_is_a_message_at_the_upload_and_nothing_is_stored(app, login, db_session, university, member,
                                                                      content, name, mimetype, message):
    draft = make_listing("patents", university, status="draft")
    files_before = _stored_files(app)
    client = login(member)
    response = _upload(client, draft.id, content, name, mimetype)
    # Post-redirect-get: the message waits for the page, next to the file field; a reload posts nothing again.
    assert response.status_code == 302 and response.location.endswith(f"/my/patents/{draft.id}/edit#attachments")
    page = client.get(response.location).get_data(as_text=True)
    upload_field = page.split('class="upload-field"')[1].split("</label>")[0]
    assert message in upload_field and 'aria-invalid="true"' in upload_field
    assert message not in client.get(response.location).get_data(as_text=True)  # shown once
    assert db_session.scalar(select(func.count()).select_from(PatentAttachment)) == 0
    assert _stored_files(app) == files_before


def test_an_oversized_or_missing_file(app, login, db_session, university, member, monkeypatch):
    draft = make_listing("patents", university, status="draft")
    client = login(member)
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 100)
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_BYTES", 100)
    response = _upload(client, draft.id, pdf_bytes())
    assert "文件超过 0.1 KB。" in client.get(response.location).get_data(as_text=True)  # a size, not "100 字节"
    response = client.post(f"/my/patents/{draft.id}/attachments", data={}, follow_redirects=True)
    assert "请选择一个 PDF 文件。" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(PatentAttachment)) == 0
