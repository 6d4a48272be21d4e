"""Organisation members: an admin adds a colleague by e-mail (a new person is invited to set a password, a
person removed earlier comes back), changes roles and removes people; everyone concerned is told in their
language; the organisation never loses its last admin. Over the API, the account page and the invitation page."""
from __future__ import annotations

import re

import pytest

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.members import service as members
from app.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory, bearer, identity_of
from tests.web.conftest import login  # noqa: F401 - fixture

INVITATION = re.compile(r"http://[^\s]+/invitation/([\w.\-]+)")


def _api(org) -> str:
    return f"/api/v1/orgs/{org.id}/members"


def test_an_admin_invites_a_new_colleague_who_sets_a_password_from_the_mail(client, university, tto_user,
                                                                            smtp_server):
    response = client.post(_api(university), json={"email": "Li.Na@Example.cn", "display_name": "李娜",
                                                   "role": "broker"}, headers=bearer(tto_user))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["email"], body["role"], body["invitation_pending"]) == ("li.na@example.cn", "broker", True)
    new = User.query.filter_by(email="li.na@example.cn").one()
    assert accounts.authenticate("li.na@example.cn", "") is None  # no password works before the invitation
    (mail,) = [m for m in smtp_server if m["To"] == "li.na@example.cn"]
    assert mail["Subject"] == "[技桥 TechBridge] 您已被加入“示范大学技术转移中心”，角色：技术经理人。"
    token = INVITATION.search(mail.get_content()).group(1)
    (row,) = Notification.query.filter_by(user_id=new.id).all()
    assert row.link == "/account" and token not in (row.body + row.link)  # the secret link stays in the mail

    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200 and "李娜" in page.get_data(as_text=True)
    short = client.post(f"/invitation/{token}", data={"password": "short", "password_confirm": "other"})
    assert short.status_code == 422
    text = short.get_data(as_text=True)
    assert "两次输入的密码不一致" in text or "The two passwords differ." in text
    assert "至少" in text or "at least" in text.lower()  # the length message is shown too, not hidden
    done = client.post(f"/invitation/{token}", data={"password": "a long new password", "password_confirm":
                                                     "a long new password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account")
    assert accounts.authenticate("li.na@example.cn", "a long new password").id == new.id
    assert client.get(f"/invitation/{token}").status_code == 404  # spent


def test_role_changes_and_removal_tell_the_person_and_the_other_admins(university, tto_user, smtp_server):
    other_admin = UserFactory(organisation=university, role=Role.org_admin, locale="en")
    colleague = UserFactory(organisation=university, locale="en")
    admin = identity_of(tto_user)
    members.change_role(admin, university.id, colleague.id, {"role": "org_admin"})
    (own,) = Notification.query.filter_by(user_id=colleague.id).all()
    assert own.title == "Your role in “示范大学技术转移中心” is now: Organisation admin."
    told = Notification.query.filter_by(user_id=other_admin.id).one()
    assert told.title == f"{colleague.display_name}'s role in “示范大学技术转移中心” is now: Organisation admin."
    assert Notification.query.filter_by(user_id=tto_user.id).count() == 0  # the actor knows what they did
    members.remove_member(admin, university.id, colleague.id)
    assert not colleague.active and accounts.authenticate(colleague.email, PASSWORD) is None
    removed = [m for m in smtp_server if m["To"] == colleague.email][-1]
    assert removed["Subject"] == "[技桥 TechBridge] You were removed from “示范大学技术转移中心”."
    assert [m.id for m in members.list_members(admin, university.id)] == sorted([tto_user.id, other_admin.id])


def test_a_removed_person_can_be_added_back_with_their_own_password(university, tto_user, enterprise):
    person = UserFactory(organisation=enterprise, active=False, email="back@example.cn")
    user = members.add_member(identity_of(tto_user), university.id,
                              {"email": "back@example.cn", "display_name": "x"})
    assert user.id == person.id and user.org_id == university.id and user.active and user.role == Role.member
    assert accounts.authenticate("back@example.cn", PASSWORD).id == person.id


def test_the_rules_of_membership(university, tto_user, buyer_user, db_session):
    admin = identity_of(tto_user)
    member = UserFactory(organisation=university)
    db_session.commit()  # a refused call rolls its unit of work back: keep the set-up out of it
    with pytest.raises(Conflict) as taken:
        members.add_member(admin, university.id, {"email": buyer_user.email, "display_name": "x"})
    assert taken.value.extra["errors"] == {"email": ["belongs to another organisation"]}
    with pytest.raises(Conflict):
        members.add_member(admin, university.id, {"email": member.email, "display_name": "x"})
    with pytest.raises(Conflict):
        members.remove_member(admin, university.id, tto_user.id)  # not yourself
    with pytest.raises(Conflict) as last:
        members.change_role(admin, university.id, tto_user.id, {"role": "member"})  # the last admin
    assert last.value.extra["errors"] == {"role": ["the organisation must keep an admin"]}
    with pytest.raises(ValidationFailed) as bad:
        members.change_role(admin, university.id, member.id, {"role": "platform_admin"})
    assert set(bad.value.errors) == {"role"}
    with pytest.raises(PermissionDenied):
        members.add_member(identity_of(member), university.id, {"email": "n@example.cn", "display_name": "n"})
    with pytest.raises(NotFound):  # another organisation's members are not even listed
        members.list_members(identity_of(buyer_user), university.id)
    with pytest.raises(NotFound):
        members.remove_member(identity_of(buyer_user), buyer_user.org_id, member.id)


def test_the_api_names_the_field_of_bad_input(client, university, tto_user):
    headers = bearer(tto_user)
    bad = client.post(_api(university), json={"email": "not-an-address", "display_name": ""}, headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"email", "display_name"}
    assert client.post(_api(university), data="x", headers=headers).status_code == 415
    member = UserFactory(organisation=university)
    patched = client.patch(f"{_api(university)}/{member.id}", json={"role": "broker"}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["role"] == "broker"
    assert client.patch(f"{_api(university)}/{member.id}", json={"role": 3}, headers=headers).status_code == 422
    assert client.delete(f"{_api(university)}/{member.id}", headers=headers).status_code == 204
    assert client.delete(f"{_api(university)}/{member.id}", headers=headers).status_code == 404
    listed = client.get(_api(university), headers=headers).get_json()
    assert [m["email"] for m in listed] == [tto_user.email]
    assert client.get(_api(university)).status_code == 401


def test_the_account_page_manages_members_with_messages_next_to_the_fields(login, university, tto_user,
                                                                          smtp_server):
    member = UserFactory(organisation=university, display_name="王工")
    client = login(tto_user)
    page = client.get("/account").get_data(as_text=True)
    assert 'id="members"' in page and "王工" in page and 'id="member-form"' in page
    bad = client.post("/account/members", data={"email": "nope", "display_name": "", "role": "member"})
    assert bad.status_code == 422
    assert re.search(r'id="field-email">.*?class="field-error"', bad.get_data(as_text=True), re.S)
    added = client.post("/account/members", data={"email": "zhao@example.cn", "display_name": "赵工",
                                                   "role": "member"})
    assert added.status_code == 302 and User.query.filter_by(email="zhao@example.cn").one().role == Role.member
    assert client.post(f"/account/members/{member.id}/role", data={"role": "broker"}).status_code == 302
    assert member.role == Role.broker
    assert client.post(f"/account/members/{member.id}/remove").status_code == 302 and not member.active
    # A plain member sees the list but no forms, and cannot post them.
    colleague = UserFactory(organisation=university)
    as_member = login(colleague)
    page = as_member.get("/account").get_data(as_text=True)
    assert 'id="members"' in page and 'id="member-form"' not in page
    assert as_member.post("/account/members", data={"email": "x@example.cn", "display_name": "x"}).status_code == 403


def test_the_chosen_language_is_remembered_for_notifications(login, tto_user, client):
    as_user = login(tto_user)
    as_user.post("/language/en")
    assert tto_user.locale == "en"
    as_user.post("/language/zh_CN")
    assert tto_user.locale == "zh_CN"


def test_registration_keeps_the_interface_language(client, db_session):
    client.post("/language/en")
    response = client.post("/register", data={"org_name": "Demo Lab Ltd", "org_kind": "enterprise", "region": "上海",
                                              "display_name": "Ann", "email": "ann@example.cn",
                                              "password": "a long password", "password_confirm": "a long password"})
    assert response.status_code == 302
    assert User.query.filter_by(email="ann@example.cn").one().locale == "en"
