"""Every decision on a user's own things reaches them in-app and by e-mail (read from a real SMTP server), in
their own language, with a link to the thing: listing decisions, pending edits, organisation verification."""
from __future__ import annotations

import pytest

from app.core.errors import ValidationFailed
from app.core.identity import Identity
from app.demands.service import demands_service
from app.notifications.models import Notification
from app.orgs import service as orgs
from app.orgs.models import OrgKind, VerificationStatus
from app.patents.service import patents_service
from tests.factories import CREDIT_CODES, OrganisationFactory, UserFactory, make_listing


@pytest.fixture
def english_user(university):
    return UserFactory(organisation=university, locale="en")


def _rows(user) -> list[Notification]:
    return Notification.query.filter_by(user_id=user.id).order_by(Notification.id).all()


def _mail_to(received, user):
    mails = [m for m in received if m["To"] == user.email]
    assert len(mails) == 1, [m["Subject"] for m in received]
    return mails[0]


def test_approval_tells_every_member_of_the_owner_in_their_own_language(university, tto_user, english_user,
                                                                        smtp_server, app):
    patent = make_listing("patents", university, status="pending", title="高镍正极材料")
    smtp_server.clear()
    patents_service.moderate(Identity.system(), patent.id, "approve")
    (zh_row,), (en_row,) = _rows(tto_user), _rows(english_user)
    assert zh_row.kind == "patents.approve" and zh_row.link == f"/patents/{patent.id}"
    assert zh_row.title == "您的专利“高镍正极材料”已通过审核并发布。"
    assert en_row.title == "Your patent “高镍正极材料” is published."
    zh_mail, en_mail = _mail_to(smtp_server, tto_user), _mail_to(smtp_server, english_user)
    assert zh_mail["Subject"] == "[技桥 TechBridge] 您的专利“高镍正极材料”已通过审核并发布。"
    assert en_mail["Subject"] == "[技桥 TechBridge] Your patent “高镍正极材料” is published."
    # The mail carries the full address of the thing, not a bare path.
    assert f"{app.config['SITE_URL']}/patents/{patent.id}" in en_mail.get_content()


def test_revision_carries_the_reasons_and_links_to_the_edit_form(university, tto_user, english_user, smtp_server):
    patent = make_listing("patents", university, status="pending", title="高镍正极材料")
    smtp_server.clear()
    patents_service.moderate(Identity.system(), patent.id, "revise", "请补充能量密度的检测报告")
    (zh_row,), (en_row,) = _rows(tto_user), _rows(english_user)
    assert zh_row.title == "您的专利“高镍正极材料”需要整改。" and zh_row.link == f"/my/patents/{patent.id}/edit"
    assert zh_row.body == "审核意见：请补充能量密度的检测报告\n请修改后重新提交审核。"
    assert en_row.title == "Your patent “高镍正极材料” needs revision (整改)."
    assert en_row.body == "Moderator's note: 请补充能量密度的检测报告\nCorrect the listing and submit it again."
    body = _mail_to(smtp_server, english_user).get_content()
    assert "Moderator's note: 请补充能量密度的检测报告" in body and f"/my/patents/{patent.id}/edit" in body


def test_rejection_of_a_demand_is_told_to_the_enterprise(enterprise, buyer_user, smtp_server):
    demand = make_listing("demands", enterprise, status="pending", title="电池热失控预警")
    smtp_server.clear()
    demands_service.moderate(Identity.system(), demand.id, "reject", "与平台服务范围不符")
    (row,) = _rows(buyer_user)
    assert row.title == "您的技术需求“电池热失控预警”未通过审核，已被驳回。" and row.body == "审核意见：与平台服务范围不符"
    assert _mail_to(smtp_server, buyer_user)["Subject"].endswith("已被驳回。")


def test_pending_edits_applied_or_discarded_are_told_as_such(university, tto_user, english_user, smtp_server):
    owner = Identity.of(tto_user)
    patent = make_listing("patents", university, title="高镍正极材料")
    patents_service.update(owner, patent.id, {"title": "高镍正极材料（第二版）"})
    patents_service.moderate(Identity.system(), patent.id, "approve")
    patents_service.update(owner, patent.id, {"price": 1})
    patents_service.moderate(Identity.system(), patent.id, "reject", "价格明显有误")
    applied, discarded = _rows(english_user)[-2:]
    assert applied.title == "Your edits to the patent “高镍正极材料（第二版）” are published."
    assert applied.kind == "patents.approve" and applied.link == f"/patents/{patent.id}"
    assert discarded.title == ("Your edits to the patent “高镍正极材料（第二版）” were not accepted and are "
                               "discarded.")
    assert discarded.body == "Moderator's note: 价格明显有误"
    assert _rows(tto_user)[-1].title == "您对专利“高镍正极材料（第二版）”的修改未通过审核，已被撤销。"
    assert any(m["To"] == tto_user.email and "已被撤销" in m["Subject"] for m in smtp_server)
    english = [m for m in smtp_server if m["To"] == english_user.email]
    assert [m["Subject"] for m in english[-2:]] == [
        "[技桥 TechBridge] Your edits to the patent “高镍正极材料（第二版）” are published.",
        "[技桥 TechBridge] Your edits to the patent “高镍正极材料（第二版）” were not accepted and are discarded."]
    assert "Moderator's note: 价格明显有误" in english[-1].get_content()


def test_verification_decisions_reach_the_organisation(smtp_server, admin_user):
    org = OrganisationFactory(name="示范新材料研究院", kind=OrgKind.institute,
                              verification_status=VerificationStatus.pending, credit_code=CREDIT_CODES[1])
    chinese, english = UserFactory(organisation=org), UserFactory(organisation=org, locale="en")
    admin = Identity.of(admin_user)
    orgs.decide_verification(admin, org.id, "reject", "营业执照名称与机构名称不一致")
    (refused,) = _rows(english)
    assert refused.title == "The verification of “示范新材料研究院” was refused." and refused.link == "/account"
    assert refused.body.startswith("Reason: 营业执照名称与机构名称不一致")
    assert _rows(chinese)[0].title == "“示范新材料研究院”的机构认证未通过。"
    orgs.decide_verification(admin, org.id, "verify")
    assert _rows(chinese)[-1].title == "您的机构“示范新材料研究院”已通过认证。"
    assert _rows(english)[-1].body == "You can now submit listings for review."
    subjects = [m["Subject"] for m in smtp_server if m["To"] == chinese.email]
    assert subjects == ["[技桥 TechBridge] “示范新材料研究院”的机构认证未通过。",
                        "[技桥 TechBridge] 您的机构“示范新材料研究院”已通过认证。"]
    english_mails = [m for m in smtp_server if m["To"] == english.email]
    assert [m["Subject"] for m in english_mails] == [
        "[技桥 TechBridge] The verification of “示范新材料研究院” was refused.",
        "[技桥 TechBridge] Your organisation “示范新材料研究院” is verified."]
    assert "/account" in english_mails[0].get_content()


def test_membership_changes_reach_the_person_by_mail_in_their_language(university, tto_user, smtp_server):
    """Added, given another role, removed: the in-app row and the mail, each in the member's own language (the
    invitation case is ``tests/accounts/test_members.py``)."""
    from app.members import service as members

    colleague = UserFactory(organisation=university, locale="en", display_name="Li Na")
    admin = Identity.of(tto_user)
    smtp_server.clear()
    members.change_role(admin, university.id, colleague.id, {"role": "broker"})
    members.remove_member(admin, university.id, colleague.id)
    rows = _rows(colleague)
    assert [r.kind for r in rows] == ["membership.role_changed", "membership.removed"]
    assert rows[0].title == "Your role in “示范大学技术转移中心” is now: Broker (技术经理人)."
    assert rows[0].link == "/account" and rows[1].title == "You were removed from “示范大学技术转移中心”."
    mails = [m["Subject"] for m in smtp_server if m["To"] == colleague.email]
    assert mails == ["[技桥 TechBridge] Your role in “示范大学技术转移中心” is now: Broker (技术经理人).",
                     "[技桥 TechBridge] You were removed from “示范大学技术转移中心”."]
    back = members.add_member(admin, university.id, {"email": colleague.email, "display_name": "Li Na"})
    assert _rows(back)[-1].title == "You were added to “示范大学技术转移中心” as Member."
    assert [m for m in smtp_server if m["To"] == colleague.email][-1]["Subject"].endswith("as Member.")


def test_a_refused_decision_notifies_nobody(university, tto_user, smtp_server):
    patent = make_listing("patents", university, status="pending")
    smtp_server.clear()
    with pytest.raises(ValidationFailed):
        patents_service.moderate(Identity.system(), patent.id, "reject", " ")
    assert _rows(tto_user) == [] and smtp_server == []
