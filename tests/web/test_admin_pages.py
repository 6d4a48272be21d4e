"""Platform admins' pages: the review queue (filters, bulk approve / revise with reasons / reject), the
organisation verification queue, the audit log and the market figures."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.service import patents_service
from tests.factories import CREDIT_CODES, OrganisationFactory, identity_of, make_listing

pytestmark = pytest.mark.usefixtures("no_index_drain")


@pytest.fixture
def queue(university, enterprise, tto_user):
    """Two pending listings of two resources, a published patent with edits waiting, and a draft."""
    pending_patent = make_listing("patents", university, status="pending", title="待审核的专利")
    pending_demand = make_listing("demands", enterprise, status="pending", title="待审核的需求")
    edited = make_listing("patents", university, status="approved", title="已发布的专利")
    patents_service.update(identity_of(tto_user), edited.id, {"title": "已发布专利的新标题"})
    draft = make_listing("patents", university, status="draft", title="还是草稿的专利")
    return {"patent": pending_patent, "demand": pending_demand, "edited": edited, "draft": draft}


def _statuses(db_session, *objs) -> list[str]:
    db_session.expire_all()
    return [db_session.get(type(obj), obj.id).status.value for obj in objs]


def _audit_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_queue_shows_what_awaits_review_with_the_proposed_edits(login, queue, admin_user):
    page = login(admin_user).get("/admin/moderation").get_data(as_text=True)
    assert "待审核的专利" in page and "待审核的需求" in page and "已发布的专利" in page
    assert "还是草稿的专利" not in page
    assert "待审核的修改" in page and "已发布专利的新标题" in page  # the edit, next to the published title
    assert f'value="patents:{queue["patent"].id}"' in page and f'value="demands:{queue["demand"].id}"' in page


def test_filters_by_resource_status_and_organisation(login, queue, admin_user, enterprise):
    client = login(admin_user)
    page = client.get("/admin/moderation?resource=demands").get_data(as_text=True)
    assert "待审核的需求" in page and "待审核的专利" not in page
    page = client.get("/admin/moderation?status=draft").get_data(as_text=True)
    assert "还是草稿的专利" in page and "待审核的需求" not in page
    page = client.get(f"/admin/moderation?org={enterprise.id}").get_data(as_text=True)
    assert "待审核的需求" in page and "待审核的专利" not in page
    page = client.get("/admin/moderation?resource=bogus&org=x").get_data(as_text=True)
    assert "请从给定的选项中选择" in page and "请输入整数" in page and "待审核的专利" in page  # bad filters ignored


def test_bulk_approval_across_resources_is_audited(login, db_session, queue, admin_user):
    before = _audit_count(db_session)
    items = [f"patents:{queue['patent'].id}", f"demands:{queue['demand'].id}", f"patents:{queue['edited'].id}"]
    client = login(admin_user)
    response = client.post("/admin/moderation?resource=", data={"items": items, "decision": "approve"})
    assert response.status_code == 302
    assert _statuses(db_session, queue["patent"], queue["demand"]) == ["approved", "approved"]
    assert db_session.get(type(queue["edited"]), queue["edited"].id).title == "已发布专利的新标题"
    assert _audit_count(db_session) == before + 3
    assert "已处理 3 条信息" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize("form, field, message", [
    ({"decision": "revise", "reason": "  "}, "reason", "请填写原因。"),
    ({"decision": "reject"}, "reason", "请填写原因。"),
    ({"decision": "publish"}, "decision", "请从给定的选项中选择。"),
    ({"decision": "approve", "items": []}, "items", "请至少选择一条信息。"),
])
def test_a_bad_bulk_decision_is_a_form_message_and_decides_nothing(login, db_session, queue, admin_user, form, field,
                                                                 message):
    before = _audit_count(db_session)
    data = {"items": [f"patents:{queue['patent'].id}", f"demands:{queue['demand'].id}"], **form}
    response = login(admin_user).post("/admin/moderation", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert _statuses(db_session, queue["patent"], queue["demand"]) == ["pending", "pending"]
    assert _audit_count(db_session) == before
    if field == "reason":
        assert 'name="items" value="patents:' in page and " checked" in page  # the selection is kept


def test_revision_reasons_reach_the_owners_page(login, db_session, queue, admin_user, tto_user):
    data = {"items": [f"patents:{queue['patent'].id}"], "decision": "revise", "reason": "请补充第三方检测报告。"}
    assert login(admin_user).post("/admin/moderation", data=data).status_code == 302
    assert _statuses(db_session, queue["patent"]) == ["needs_revision"]
    page = login(tto_user).get("/my/listings").get_data(as_text=True)
    assert "请补充第三方检测报告。" in page and "需整改" in page


def test_items_that_cannot_take_the_decision_are_reported_and_the_rest_decided(login, db_session, queue, admin_user):
    data = {"items": [f"patents:{queue['draft'].id}", f"patents:{queue['patent'].id}"], "decision": "reject",
            "reason": "与平台定位不符"}
    client = login(admin_user)
    response = client.post("/admin/moderation", data=data)
    page = client.get(response.location).get_data(as_text=True)
    assert "已处理 1 条信息" in page and f"专利 {queue['draft'].id} 未处理：该信息没有待审核的内容" in page
    assert _statuses(db_session, queue["draft"], queue["patent"]) == ["draft", "rejected"]


# ---------------------------------------------------------------- organisation verification


@pytest.fixture
def applicant(db_session):
    return OrganisationFactory(name="申请认证的企业", kind=OrgKind.enterprise, credit_code=CREDIT_CODES[1],
                               verification_status=VerificationStatus.pending)


def test_the_verification_queue_lists_pending_organisations_with_their_code(login, applicant, university, admin_user):
    client = login(admin_user)
    page = client.get("/admin/verifications/").get_data(as_text=True)
    assert "申请认证的企业" in page and CREDIT_CODES[1] in page and university.name not in page
    assert university.name in client.get("/admin/verifications/?status=verified").get_data(as_text=True)
    assert "申请认证的企业" in client.get("/admin/verifications/?status=nonsense").get_data(as_text=True)


def test_verify_and_reject_are_audited_and_a_rejection_needs_a_reason(login, db_session, applicant, admin_user):
    client = login(admin_user)
    response = client.post(f"/admin/verifications/{applicant.id}", data={"decision": "reject", "reason": ""})
    assert response.status_code == 422
    assert "请填写原因。" in response.get_data(as_text=True).split(f'id="org-{applicant.id}"')[1]
    db_session.expire_all()
    assert db_session.get(Organisation, applicant.id).verification_status == VerificationStatus.pending

    response = client.post(f"/admin/verifications/{applicant.id}", data={"decision": "reject", "reason": "执照已过期"})
    assert response.status_code == 302 and "申请认证的企业 的认证已驳回" in client.get(response.location).get_data(as_text=True)
    db_session.expire_all()
    org = db_session.get(Organisation, applicant.id)
    assert org.verification_status == VerificationStatus.rejected and org.verification_note == "执照已过期"
    assert client.post(f"/admin/verifications/{applicant.id}", data={"decision": "verify"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Organisation, applicant.id).is_verified
    actions = db_session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == applicant.id)).all()
    assert sorted(actions) == ["organisation.reject", "organisation.verify"]


# ---------------------------------------------------------------- audit log and market figures


def test_the_audit_log_shows_who_did_what_and_the_changes(login, db_session, queue, applicant, admin_user):
    client = login(admin_user)
    client.post("/admin/moderation", data={"items": [f"patents:{queue['patent'].id}"], "decision": "revise",
                                           "reason": "缺少权利要求"})
    client.post(f"/admin/verifications/{applicant.id}", data={"decision": "verify"})
    log = re.sub(r"<[^>]+>", "", client.get("/admin/audit").get_data(as_text=True).split('id="audit-log"')[1])
    # Actions, fields and values in labels, never the internal names.
    assert admin_user.display_name in log and "专利 · 退回整改" in log and "机构 · 通过认证" in log
    assert "缺少权利要求" in log and "状态: 待审核 → 需整改" in log and "待审核的专利" in log
    assert "认证审核中 → 已认证" in log
    for raw in ("patents.revise", "organisation.verify", "needs_revision", "verification_status"):
        assert raw not in log, raw
    only_orgs = client.get("/admin/audit?object_type=organisation").get_data(as_text=True).split('id="audit-log"')[1]
    assert "机构 · 通过认证" in only_orgs and "专利 · 退回整改" not in only_orgs
    assert "object_id" in client.get("/admin/audit?object_id=abc").get_data(as_text=True)


def test_the_dashboard_counts_listings_and_organisations(login, queue, admin_user):
    page = login(admin_user).get("/admin/dashboard").get_data(as_text=True)
    assert "各状态信息数量" in page and "机构类型与认证状态" in page and "每周新增信息" in page
    patents_row = page.split('id="listings-by-status"')[1].split("<th>专利</th>")[1].split("</tr>")[0]
    # draft, pending, published, needs revision, rejected, withdrawn, total
    assert [cell.split(">")[-1] for cell in patents_row.split("</td>")[:7]][:6] == ["1", "1", "1", "0", "0", "0"]
