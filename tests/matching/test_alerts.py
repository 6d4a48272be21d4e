"""Saved searches and match alerts: publishing a listing tells the people it concerns — in the app and by
e-mail through a real SMTP server — once, and never tells anyone about what they may not see."""
from __future__ import annotations

import pytest

from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.identity import Identity
from app.matching import alerts
from app.matching.models import AlertOutbox, Match
from app.notifications.models import Notification
from tests.factories import bearer, identity_of, make_listing

BATTERY = dict(title="一种高镍三元正极材料的制备方法", region="江苏",
               abstract="提高锂离子动力电池能量密度的正极材料制备方法，能量密度达到300Wh/kg。",
               indicators=[{"name": "能量密度", "comparator": "eq", "value": 300, "unit": "Wh/kg"}])


ALERT_KINDS = ("saved_search.hit", "match.new")


def notes_of(user) -> list[Notification]:
    """The user's alerts (their own listings' moderation decisions are notified too, and are not alerts)."""
    return (Notification.query.filter_by(user_id=user.id).filter(Notification.kind.in_(ALERT_KINDS))
            .order_by(Notification.id).all())


def test_a_saved_search_alerts_its_owner_when_a_matching_listing_is_published(
        app_engine, university, buyer_user, smtp_server):
    alerts.save_search(identity_of(buyer_user), "patents", "正极材料（江苏）", {"q": "正极材料", "region": ["江苏"]})
    make_listing("patents", university, external_id="P-OTHER", title="基于深度学习的图像识别方法",
                 abstract="利用卷积神经网络识别图像。", region="江苏", keywords=["图像识别"])
    make_listing("patents", university, external_id="P-SH", **{**BATTERY, "region": "上海"})  # filtered out
    assert notes_of(buyer_user) == []
    battery = make_listing("patents", university, external_id="P-BAT", **BATTERY)
    [note] = notes_of(buyer_user)
    assert note.kind == "saved_search.hit" and "正极材料（江苏）" in note.title
    assert note.link == f"/patents/{battery.id}"
    assert any(message["To"] == buyer_user.email and "正极材料" in message["Subject"] for message in smtp_server)
    assert AlertOutbox.query.filter(AlertOutbox.processed_at.is_(None)).count() == 0


def test_drafts_and_members_only_listings_alert_only_those_allowed_to_see_them(
        app_engine, university, enterprise, buyer_user, tto_user):
    from app.orgs.models import OrgKind, VerificationStatus
    from tests.factories import OrganisationFactory, UserFactory

    unverified = OrganisationFactory(kind=OrgKind.enterprise, verification_status=VerificationStatus.unverified)
    outsider = UserFactory(organisation=unverified)
    for user in (buyer_user, outsider):
        alerts.save_search(identity_of(user), "demands", "电池需求", {"q": "电池"})
    make_listing("demands", enterprise, status="pending", external_id="D-PENDING", title="动力电池回收技术需求")
    make_listing("demands", enterprise, external_id="D-MEMBERS", title="动力电池热管理技术需求", visibility="members")
    assert [n.title for n in notes_of(outsider)] == []  # neither the pending nor the members-only demand
    assert len(notes_of(buyer_user)) == 1 and "热管理" in notes_of(buyer_user)[0].title


def test_a_new_patent_alerts_the_owners_of_demands_it_matches_strongly_once(
        app_engine, app, university, enterprise, buyer_user, monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_ALERT_THRESHOLD", 0.3)
    demand = make_listing("demands", enterprise, external_id="D-1")
    patent = make_listing("patents", university, external_id="P-BAT", **BATTERY)
    [match] = Match.query.all()
    assert (match.source_id, match.target_id, match.notified_at is not None) == (demand.id, patent.id, True)
    [note] = [n for n in notes_of(buyer_user) if n.kind == "match.new"]
    assert patent.title in note.title and note.link == f"/patents/{patent.id}"
    alerts.evaluate("patents", patent.id, uow=_uow())  # evaluated again (e.g. a re-delivered row): no second alert
    assert len([n for n in notes_of(buyer_user) if n.kind == "match.new"]) == 1


def test_weak_matches_are_not_alerted(app_engine, app, university, enterprise, buyer_user, monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_ALERT_THRESHOLD", 0.99)
    make_listing("demands", enterprise, external_id="D-1")
    make_listing("patents", university, external_id="P-BAT", **BATTERY)
    assert Match.query.count() == 0 and notes_of(buyer_user) == []


def test_alerts_wait_while_the_engine_is_down_and_go_out_when_it_is_back(
        app_engine, app, university, buyer_user, monkeypatch):
    alerts.save_search(identity_of(buyer_user), "patents", "正极", {"q": "正极材料"})

    def down(*args, **kwargs):
        raise ConnectionError("engine down")

    monkeypatch.setattr(type(app_engine), "search", down)
    make_listing("patents", university, external_id="P-BAT", **BATTERY)
    pending = AlertOutbox.query.filter(AlertOutbox.processed_at.is_(None)).all()
    assert len(pending) == 1 and "engine down" in pending[0].last_error and notes_of(buyer_user) == []
    monkeypatch.undo()
    assert alerts.drain() == 1 and len(notes_of(buyer_user)) == 1


def test_saving_searches_validates_input_and_ownership(app_engine, db_session, buyer_user, tto_user):
    db_session.commit()  # a refused call rolls its unit of work back: keep the users the fixtures flushed
    me = identity_of(buyer_user)
    with pytest.raises(ValidationFailed) as error:
        alerts.save_search(me, "patents", "x", {"region": "江苏", "price_min": -1})
    assert set(error.value.errors) == {"region", "price_min"}
    with pytest.raises(ValidationFailed) as error:
        alerts.save_search(me, "patents", "  ", {})
    assert "name" in error.value.errors
    with pytest.raises(ValidationFailed):
        alerts.save_search(me, "deals", "x", {})
    with pytest.raises(PermissionDenied):
        alerts.save_search(Identity.anonymous(), "patents", "x", {})
    saved = alerts.save_search(me, "patents", "正极", {"q": "正极", "maturity": ["pilot"]})
    assert (saved.query, saved.filters) == ("正极", {"maturity": ["pilot"]})
    with pytest.raises(NotFound):
        alerts.delete_saved_search(identity_of(tto_user), saved.id)
    alerts.delete_saved_search(me, saved.id)
    assert alerts.saved_searches(me) == []


def test_the_saved_search_api(client, buyer_user):
    headers = bearer(buyer_user)
    created = client.post("/api/v1/saved-searches", headers=headers,
                          json={"resource": "patents", "name": "正极", "params": {"q": "正极", "region": ["江苏"]}})
    assert created.status_code == 201 and created.get_json()["filters"] == {"region": ["江苏"]}
    bad = client.post("/api/v1/saved-searches", headers=headers,
                      json={"resource": "patents", "name": "x", "params": {"sort": "random"}})
    assert bad.status_code == 422 and "sort" in bad.get_json()["errors"]
    assert [s["name"] for s in client.get("/api/v1/saved-searches", headers=headers).get_json()] == ["正极"]
    assert client.delete(f"/api/v1/saved-searches/{created.get_json()['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/saved-searches").status_code == 401


def _uow():
    from app.core.uow import UnitOfWork

    return UnitOfWork()
