"""The user's own language: switching it while logged in stores it on the account and pages follow it in any
browser; bad values are refused with a 4xx; mail and notifications to a user are written in that user's language
whatever the language of the person whose action sent them. And an invited colleague acts for the organisation."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts import service as accounts
from app.accounts.models import User
from app.core.errors import ValidationFailed
from app.listings.models import ListingStatus
from app.members import service as members
from app.notifications.models import Notification
from app.patents.models import Patent
from tests.factories import UserFactory, bearer, identity_of, patent_data
from tests.web.conftest import login  # noqa: F401 - fixture
from tests.web.helpers import form_data

INVITATION = re.compile(r"http://[^\s]+/invitation/([\w.\-]+)")


def _lang(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_the_stored_language_wins_over_the_browser_and_a_bad_value_is_refused(login, tto_user):
    as_user = login(tto_user)
    assert as_user.post("/language/en").status_code == 302 and tto_user.locale == "en"
    with as_user.session_transaction() as session:
        session.pop("locale", None)  # another browser: no choice in its session, and it asks for Chinese
    assert _lang(as_user.get("/", headers={"Accept-Language": "zh-CN"})) == "en"
    for bad in ("fr", "EN", "zh_CN%0a", "x" * 300):
        assert 400 <= as_user.post(f"/language/{bad}").status_code < 500, bad
    assert tto_user.locale == "en"
    assert as_user.post("/language/zh_CN").status_code == 302 and tto_user.locale == "zh_CN"
    assert _lang(as_user.get("/", headers={"Accept-Language": "en"})) == "zh-CN"


def test_a_bad_locale_is_refused_by_the_service(tto_user):
    with pytest.raises(ValidationFailed) as refused:
        accounts.set_locale(identity_of(tto_user), "de")
    assert list(refused.value.errors) == ["locale"] and tto_user.locale != "de"


@pytest.mark.parametrize("locale, subject, title", [
    ("en", "[技桥 TechBridge] Set a new password", "Your role in “示范大学技术转移中心” is now: Broker (技术经理人)."),
    ("zh_CN", "[技桥 TechBridge] 设置新密码", "您在“示范大学技术转移中心”的角色已变更为：技术经理人。"),
])
def test_mail_and_notifications_are_in_the_recipients_language(login, university, tto_user, smtp_server, locale,
                                                               subject, title):
    person = UserFactory(organisation=university, locale=locale)
    other_language = "zh-CN" if locale == "en" else "en"  # the request asking for the mail is in the other one
    login(None).post("/password/forgot", data={"email": person.email}, headers={"Accept-Language": other_language})
    (mail,) = [m for m in smtp_server if m["To"] == person.email]
    assert mail["Subject"] == subject
    # The admin acts in the other language; the person is told in their own.
    tto_user.locale = "zh_CN" if locale == "en" else "en"
    members.change_role(identity_of(tto_user), university.id, person.id, {"role": "broker"})
    (row,) = Notification.query.filter_by(user_id=person.id).all()
    assert row.title == title
    assert any(m["To"] == person.email and m["Subject"] == f"[技桥 TechBridge] {title}" for m in smtp_server)


def test_an_invited_colleague_sets_a_password_logs_in_and_creates_a_listing_for_the_organisation(
        client, university, tto_user, smtp_server, db_session):
    response = client.post(f"/api/v1/orgs/{university.id}/members", headers=bearer(tto_user),
                           json={"email": "wang.fang@example.cn", "display_name": "王芳", "role": "member"})
    assert response.status_code == 201, response.get_json()
    (mail,) = [m for m in smtp_server if m["To"] == "wang.fang@example.cn"]
    token = INVITATION.search(mail.get_content()).group(1)
    password = "a long new password"
    assert client.post(f"/invitation/{token}", data={"password": password, "password_confirm": password}
                       ).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": "wang.fang@example.cn", "password": password}).status_code == 302
    created = client.post("/my/patents/new", data=form_data("patents", patent_data(title="受邀同事登记的专利")))
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    patent = db_session.scalars(select(Patent).where(Patent.title == "受邀同事登记的专利")).one()
    colleague = db_session.scalars(select(User).where(User.email == "wang.fang@example.cn")).one()
    assert (patent.org_id, patent.status) == (university.id, ListingStatus.draft)
    assert colleague.org_id == university.id


@pytest.mark.parametrize("headers, expected", [
    ({}, "此项为必填项。"),  # no Accept-Language: the token user's stored language
    ({"Accept-Language": "en"}, "This field is required."),  # a script asking for English gets English
])
def test_api_messages_follow_accept_language_then_the_users_language(client, university, headers, expected):
    user = UserFactory(organisation=university, locale="zh_CN")
    response = client.post("/api/v1/patents", json={"abstract": "一段足够长的专利摘要文本。"},
                           headers={**bearer(user), **headers})
    assert response.status_code == 422 and response.get_json()["errors"]["title"] == [expected]
