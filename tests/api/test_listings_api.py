"""Happy paths of the generic listing API, run for patents, demands and service offers alike."""
from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEntry
from app.listings.registry import listing_services
from tests.api.conftest import API, DATA


def test_owner_creates_edits_submits_and_withdraws(client, world):
    h = world.headers["member"]
    response = client.post(world.url(), json=DATA[world.resource](title="接口创建的新条目"), headers=h)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["org_id"] == world.owner_org.id
    assert response.headers["Location"].endswith(f"/{world.resource}/{body['id']}")

    response = client.patch(world.url(body["id"]), json={"title": "接口修改后的标题"}, headers=h)
    assert response.status_code == 200 and response.get_json()["title"] == "接口修改后的标题"

    response = client.post(world.url(body["id"], "/submit"), headers=h)
    assert response.status_code == 200 and response.get_json()["status"] == "pending"
    response = client.post(world.url(body["id"], "/withdraw"), headers=h)
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"

    stored = listing_services()[world.resource].get_many([body["id"]])[0]
    assert stored.title == "接口修改后的标题" and stored.status.value == "withdrawn"


def test_org_admin_deletes_a_draft(client, world):
    response = client.delete(world.url(world.draft), headers=world.headers["org_admin"])
    assert response.status_code == 204 and response.data == b""
    assert listing_services()[world.resource].get_many([world.draft.id]) == []
    assert client.get(world.url(world.draft), headers=world.headers["org_admin"]).status_code == 404


def test_edit_of_published_listing_waits_for_review(client, world):
    response = client.patch(world.url(world.published), json={"title": "待审核的新标题"}, headers=world.headers["member"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["has_pending_changes"] is True and body["title"] != "待审核的新标题"
    public = client.get(world.url(world.published)).get_json()
    assert public["title"] == world.published.title


def test_list_filters_and_pagination_headers(client, world):
    h = world.headers["member"]
    for n in range(3):
        client.post(world.url(), json=DATA[world.resource](title=f"分页测试条目{n}"), headers=h)
    response = client.get(f"{API}/{world.resource}?mine=true&status=draft&per_page=2&page=1", headers=h)
    assert response.status_code == 200
    items = response.get_json()
    assert len(items) == 2 and all(i["status"] == "draft" and i["org_id"] == world.owner_org.id for i in items)
    assert response.headers["X-Total-Count"] == "4"  # three new drafts and the world's draft
    assert response.headers["X-Total-Pages"] == "2" and response.headers["X-Page"] == "1"
    assert 'rel="next"' in response.headers["Link"] and "page=2" in response.headers["Link"]

    page2 = client.get(f"{API}/{world.resource}?mine=true&status=draft&per_page=2&page=2", headers=h).get_json()
    assert {i["id"] for i in page2}.isdisjoint({i["id"] for i in items}) and len(page2) == 2

    by_org = client.get(f"{API}/{world.resource}?org={world.owner_org.id}").get_json()
    assert [i["id"] for i in by_org] == [world.published.id]
    assert client.get(f"{API}/{world.resource}?org={world.other_org.id}").get_json() == []


def test_admin_moderates_through_the_bulk_endpoint_and_audit_shows_it(client, world):
    h = world.headers["member"]
    ids = []
    for n in range(2):
        created = client.post(world.url(), json=DATA[world.resource](title=f"待审条目{n}"), headers=h).get_json()
        client.post(world.url(created["id"], "/submit"), headers=h)
        ids.append(created["id"])

    admin = world.headers["admin"]
    queue = client.get(f"{API}/admin/moderation?resource={world.resource}&org={world.owner_org.id}", headers=admin)
    assert queue.status_code == 200
    assert {i["listing"]["id"] for i in queue.get_json()} == set(ids)
    assert all(i["resource"] == world.resource for i in queue.get_json())

    response = client.post(f"{API}/admin/moderation/bulk", headers=admin, json={
        "resource": world.resource, "ids": [ids[0], world.draft.id, ids[1]], "decision": "revise", "reason": "请补充指标",
    })
    assert response.status_code == 200
    results = {r["id"]: r for r in response.get_json()}
    assert results[ids[0]]["ok"] and results[ids[0]]["status"] == "needs_revision"
    assert results[ids[1]]["ok"] and results[ids[1]]["status"] == "needs_revision"
    assert results[world.draft.id]["ok"] is False and results[world.draft.id]["code"] == 409
    assert results[world.draft.id]["current_status"] == "draft"

    audit = client.get(f"{API}/admin/audit?object_type={world.resource}&action={world.resource}.revise", headers=admin)
    entries = audit.get_json()
    assert {e["object_id"] for e in entries} == set(ids)
    assert all(e["reason"] == "请补充指标" and e["before"]["status"] == "pending" for e in entries)
    assert audit.headers["X-Total-Count"] == "2"
    listing = client.get(world.url(ids[0]), headers=h).get_json()
    assert listing["status"] == "needs_revision" and listing["moderation_note"] == "请补充指标"


def test_queue_without_resource_merges_all_and_paginates(client, world, db_session):
    admin = world.headers["admin"]
    h = world.headers["member"]
    created = client.post(world.url(), json=DATA[world.resource](title="合并队列条目"), headers=h).get_json()
    client.post(world.url(created["id"], "/submit"), headers=h)
    first = client.get(f"{API}/admin/moderation?per_page=1&page=1", headers=admin)
    total = int(first.headers["X-Total-Count"])
    assert total >= 1 and len(first.get_json()) == 1
    everything = client.get(f"{API}/admin/moderation?per_page=100", headers=admin).get_json()
    assert len(everything) == total
    assert (world.resource, created["id"]) in {(i["resource"], i["listing"]["id"]) for i in everything}
    approved = client.get(f"{API}/admin/moderation?status=approved&resource={world.resource}", headers=admin).get_json()
    assert world.published.id in {i["listing"]["id"] for i in approved}
    assert db_session.scalar(select(AuditEntry.id).where(AuditEntry.object_id == created["id"])) is None
