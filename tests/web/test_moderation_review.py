"""The moderation review page: a true field-level diff of a published listing's pending edits (values restated in
another type are no change; labels and formatted values, never field names, dict text or ``None``), single
decisions on the page and from the queue's rows, and the audit log in labels and China time."""
from __future__ import annotations

import re

import pytest

from app.core.identity import Identity
from app.moderation import service
from app.moderation.service import FieldChange, field_changes, normalised
from app.notifications.models import Notification
from app.patents.service import patents_service
from tests.factories import identity_of, make_listing

pytestmark = pytest.mark.usefixtures("no_index_drain")


@pytest.fixture
def edited(university, tto_user):
    """A published patent (TRL 6, 500,000 元, an indicator ≥ 98 %) whose owner re-sent everything in other types
    and changed only the title and the maturity."""
    patent = make_listing("patents", university, title="高镍正极材料", trl=6, price=500000.0,
                          indicators=[{"name": "容量保持率", "comparator": "gte", "value": 98.0, "unit": "%"}])
    patents_service.update(identity_of(tto_user), patent.id, {
        "title": "高镍正极材料（改进版）", "trl": "6", "price": 500000, "maturity": "mass_production",
        "indicators": [{"name": "容量保持率", "comparator": "gte", "value": "98", "unit": "%"}],
        "keywords": ["正极材料", "锂电池"], "price_negotiable": False,
    })
    return patent


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_normalisation_makes_retyped_values_equal():
    assert normalised(6) == normalised("6") == normalised(6.0) == 6
    assert normalised(500000.0) == normalised("500000") == 500000
    assert normalised([{"value": 98.0, "value_max": None, "unit": "%"}]) == normalised([{"value": "98", "unit": "%"}])
    assert normalised("") is normalised([]) is normalised(None) is None
    assert normalised("0571") == "0571" and normalised(" 标题 ") == "标题" and normalised(False) is False
    assert field_changes({"trl": 6, "price": 500000.0, "title": "甲"}, {"trl": "6", "price": 500000, "title": "乙"}) \
        == [FieldChange("title", "甲", "乙")]


def test_the_diff_lists_only_real_changes(edited, admin_user, db_session):
    db_session.refresh(edited)
    changes = service.pending_diff(identity_of(admin_user), "patents", edited)
    assert changes == [FieldChange("title", "高镍正极材料", "高镍正极材料（改进版）"),
                       FieldChange("maturity", "pilot", "mass_production")]


def test_the_review_page_shows_labels_and_formatted_values(login, edited, admin_user):
    page = login(admin_user).get(f"/admin/moderation/patents/{edited.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    diff = _text(html[html.index('id="pending-diff"'):html.index('id="decision-form"')])
    assert "高镍正极材料（改进版）" in diff and "技术成熟度" in diff and "中试" in diff and "量产" in diff
    for raw in ("maturity", "mass_production", "trl", "None", "{'", "500000", "98.0", "容量保持率"):
        assert raw not in diff, raw
    assert re.search(r'<textarea name="reason" id="reason"[^>]*autofocus', html)
    assert all(f'name="decision" value="{d}"' in html for d in ("approve", "revise", "reject"))


def test_a_new_listing_shows_its_fields_formatted(login, university, admin_user):
    patent = make_listing("patents", university, status="pending", price=500000, trl=6,
                          indicators=[{"name": "能量密度", "comparator": "gte", "value": 300.0, "unit": "Wh/kg"}])
    html = login(admin_user).get(f"/admin/moderation/patents/{patent.id}").get_data(as_text=True)
    shown = _text(html[html.index('id="submitted"'):html.index('id="decision-form"')])
    assert "50 万元" in shown and "能量密度 ≥ 300 Wh/kg" in shown and "转让" in shown
    assert "None" not in shown and "500000" not in shown and "gte" not in shown


def test_single_revision_needs_reasons_next_to_the_field_then_decides(login, university, tto_user, admin_user,
                                                                    db_session):
    patent = make_listing("patents", university, status="pending", title="待整改的专利")
    client = login(admin_user)
    missing = client.post(f"/admin/moderation/patents/{patent.id}", data={"decision": "revise", "reason": " "})
    assert missing.status_code == 422
    field = missing.get_data(as_text=True).split('id="field-reason"')[1].split("</div>")[0]
    assert "field-error" in field and 'aria-invalid="true"' in field
    decided = client.post(f"/admin/moderation/patents/{patent.id}",
                          data={"decision": "revise", "reason": "请补充检测报告"})
    assert decided.status_code == 302 and decided.headers["Location"].endswith("/admin/moderation")
    db_session.expire_all()
    assert patents_service.get(Identity.system(), patent.id).status.value == "needs_revision"
    note = Notification.query.filter_by(user_id=tto_user.id).one()
    assert note.title == "您的专利“待整改的专利”需要整改。"
    # Deciding again finds nothing waiting: the page says so without a decision form; a stale post is a message.
    html = client.get(f"/admin/moderation/patents/{patent.id}").get_data(as_text=True)
    assert 'id="nothing-awaits"' in html and 'id="decision-form"' not in html
    again = client.post(f"/admin/moderation/patents/{patent.id}", data={"decision": "approve"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/admin/moderation")


def test_each_queue_row_approves_on_its_own(login, university, admin_user, db_session):
    first = make_listing("patents", university, status="pending", title="第一件")
    second = make_listing("patents", university, status="pending", title="第二件")
    client = login(admin_user)
    html = client.get("/admin/moderation").get_data(as_text=True)
    form_id = f"approve-patents-{first.id}"
    assert f'form="{form_id}"' in html and f'id="{form_id}"' in html
    assert f'href="/admin/moderation/patents/{second.id}"' in html
    assert client.post(f"/admin/moderation/patents/{first.id}", data={"decision": "approve"}).status_code == 302
    db_session.expire_all()
    assert [patents_service.get(Identity.system(), p.id).status.value for p in (first, second)] == \
        ["approved", "pending"]


def test_the_review_page_is_for_platform_admins(login, university, tto_user):
    patent = make_listing("patents", university, status="pending")
    client = login(tto_user)
    assert client.get(f"/admin/moderation/patents/{patent.id}").status_code == 403
    assert client.post(f"/admin/moderation/patents/{patent.id}", data={"decision": "approve"}).status_code == 403
    assert login(None).get(f"/admin/moderation/patents/{patent.id}").status_code in (302, 401)


def test_unknown_resources_and_ids_are_404(login, admin_user):
    client = login(admin_user)
    assert client.get("/admin/moderation/bogus/1").status_code == 404
    assert client.get("/admin/moderation/patents/999999").status_code == 404


def test_the_audit_log_speaks_in_labels_and_china_time(login, edited, admin_user):
    client = login(admin_user)
    client.post(f"/admin/moderation/patents/{edited.id}", data={"decision": "approve"})
    html = client.get("/admin/audit").get_data(as_text=True)
    log = _text(html[html.index('id="audit-log"'):])
    assert "专利 · " in log and "patents.approve" not in log
    assert "技术成熟度" in log and "量产" in log and "mass_production" not in log
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）", log)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", log) and "None" not in log
