"""Notifications: a row per recipient in the caller's transaction, an e-mail through a real SMTP server after
the commit, nothing at all when the transaction rolls back, and an inbox only its owner can read."""
from __future__ import annotations

import pytest

from app.core.errors import NotFound, PermissionDenied
from app.core.identity import Identity
from app.core.uow import UnitOfWork
from app.notifications import service
from app.notifications.models import Notification
from tests.factories import UserFactory, bearer, identity_of

API = "/api/v1/notifications"


def test_notify_writes_rows_and_mails_after_commit_in_chinese(tto_user, buyer_user, smtp_server):
    with UnitOfWork() as uow:
        service.notify([tto_user, buyer_user, tto_user], "deal.inquiry", "新的合作询价：图像识别专利",
                       "企业用户向您发起了询价。", "/deals/1", uow=uow)
        assert smtp_server == []  # nothing leaves before the commit
    assert Notification.query.count() == 2
    assert sorted(m["To"] for m in smtp_server) == sorted([tto_user.email, buyer_user.email])
    assert smtp_server[0]["Subject"] == "[技桥 TechBridge] 新的合作询价：图像识别专利"
    assert "/deals/1" in smtp_server[0].get_content()


def test_a_rolled_back_transaction_neither_notifies_nor_mails(tto_user, smtp_server):
    with pytest.raises(RuntimeError):
        with UnitOfWork() as uow:
            service.notify([tto_user], "x", "标题", uow=uow)
            raise RuntimeError("the business change failed")
    assert Notification.query.count() == 0 and smtp_server == []


def test_inactive_users_are_skipped(tto_user, university):
    gone = UserFactory(organisation=university, active=False)
    with UnitOfWork() as uow:
        rows = service.notify([gone, tto_user], "x", "标题", email=False, uow=uow)
    assert [row.user_id for row in rows] == [tto_user.id]


def test_inbox_and_mark_read_stay_with_their_owner(tto_user, buyer_user):
    with UnitOfWork() as uow:
        service.notify([tto_user], "a", "一", email=False, uow=uow)
        service.notify([buyer_user], "b", "二", email=False, uow=uow)
    mine, theirs = identity_of(tto_user), identity_of(buyer_user)
    rows, total, unread = service.inbox(mine)
    assert (total, unread, [r.title for r in rows]) == (1, 1, ["一"])
    other_id = service.inbox(theirs)[0][0].id
    with pytest.raises(NotFound):
        service.mark_read(mine, [other_id])
    assert service.inbox(theirs)[2] == 1  # the refused call changed nothing
    assert service.mark_read(mine) == 1 and service.inbox(mine)[2] == 0
    with pytest.raises(PermissionDenied):
        service.inbox(Identity.anonymous())


def test_the_api_lists_and_marks_read(client, tto_user):
    with UnitOfWork() as uow:
        service.notify([tto_user], "a", "一", email=False, uow=uow)
    headers = bearer(tto_user)
    listed = client.get(API, headers=headers)
    assert listed.status_code == 200 and listed.headers["X-Unread-Count"] == "1"
    assert listed.get_json()[0]["title"] == "一"
    assert client.post(f"{API}/read", json={"ids": [999999]}, headers=headers).status_code == 404
    assert client.post(f"{API}/read", json={"ids": "x"}, headers=headers).status_code == 422
    assert client.post(f"{API}/read", json={}, headers=headers).get_json() == {"marked": 1}
    assert client.get(API).status_code == 401
