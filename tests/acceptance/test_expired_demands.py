"""Expired demands leave every public listing by themselves: when the validity date (有效期) passes, nobody
but the owner finds the demand any more (API list and item, search, the listing page, matches), although
nothing was written — the policy compares the date with today in SQL and in the search filter alike."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.formatting import local_today
from app.core.identity import Identity
from app.demands.service import demands_service
from app.matching import service as matching
from tests.factories import identity_of, make_listing

TITLE = "明天到期的电池检测需求"


@pytest.fixture
def demand(app_engine, enterprise, university):
    obj = make_listing("demands", enterprise, status="approved", title=TITLE,
                       valid_until=(local_today() + timedelta(days=1)).isoformat())
    demands_service.sync_index({obj.id})
    return obj


def _visible(client, demand) -> dict:
    search = client.get("/api/v1/search/demands?q=电池检测").get_json()
    listed = client.get("/api/v1/demands?per_page=100").get_json()
    return {
        "item": client.get(f"/api/v1/demands/{demand.id}").status_code,
        "list": any(d["id"] == demand.id for d in listed),
        "search": any(hit["id"] == demand.id for hit in search["hits"]),
        "page": client.get(f"/demands/{demand.id}").status_code,
    }


def _matches(user, patent) -> set[int]:
    return {result.obj.id for result in matching.rank(identity_of(user), matching.PATENT_TO_DEMANDS, patent, limit=10)}


def test_an_expired_demand_leaves_public_listings_without_any_write(login, demand, tto_user, buyer_user, monkeypatch,
                                                                    db_session):
    patent = make_listing("patents", tto_user.organisation, status="approved", title="一种动力电池检测方法",
                          abstract="本发明公开了一种电池检测方法，用于动力电池的安全检测。")
    assert _visible(login(None), demand) == {"item": 200, "list": True, "search": True, "page": 200}
    assert demand.id in _matches(tto_user, patent)
    stamp = (demand.updated_at, demand.status)

    day_after_tomorrow = local_today() + timedelta(days=2)  # the demand's validity date has passed
    monkeypatch.setattr("app.listings.policy.local_today", lambda: day_after_tomorrow)
    for viewer in (None, tto_user):  # anonymous, and a member of another verified organisation
        assert _visible(login(viewer), demand) == {"item": 404, "list": False, "search": False, "page": 404}
    assert demand.id not in _matches(tto_user, patent)

    owner = login(buyer_user)
    assert owner.get(f"/api/v1/demands/{demand.id}").status_code == 200  # the owner still has it
    assert TITLE in owner.get("/my/listings?resource=demands").get_data(as_text=True)
    db_session.expire_all()
    assert (demands_service.get(Identity.system(), demand.id).updated_at, demand.status) == stamp  # nothing written
