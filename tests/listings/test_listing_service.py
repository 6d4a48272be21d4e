"""The listing service: lifecycle, moderation, pending edits, audit log, outbox and permissions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.audit import AppendOnlyError, AuditEntry
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.identity import Identity
from app.demands.service import demands_service
from app.indexing.models import SearchOutbox
from app.listings.models import ListingStatus
from app.orgs.models import OrgKind, VerificationStatus
from app.patents.models import Patent
from app.patents.service import patents_service
from tests.factories import OrganisationFactory, UserFactory, demand_data, identity_of, make_listing, patent_data


def _count(model, db_session):
    return db_session.scalar(select(func.count()).select_from(model))


def test_owner_creates_submits_and_admin_approves(tto_user, admin_user, enterprise, db_session):
    owner, admin = identity_of(tto_user), identity_of(admin_user)
    patent = patents_service.create(owner, patent_data())
    assert patent.status == ListingStatus.draft
    assert patent.indicators[0].name == "能量密度" and patent.ipc_codes == ["H01M 4/525"]

    buyer = Identity(user_id=999, org_id=enterprise.id, org_kind="enterprise", role="member", org_verified=True)
    with pytest.raises(NotFound):  # drafts are invisible to other organisations
        patents_service.get(buyer, patent.id)

    patents_service.submit(owner, patent.id)
    patents_service.moderate(admin, patent.id, "approve")
    assert patents_service.get(buyer, patent.id).status == ListingStatus.approved
    assert patent.published_at is not None
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.object_id == patent.id))
    assert entry.action == "patents.approve" and entry.before["status"] == "pending"
    assert entry.after["status"] == "approved" and entry.actor_id == admin_user.id


def test_revision_requires_reason_and_owner_can_fix_and_resubmit(tto_user, admin_user):
    owner, admin = identity_of(tto_user), identity_of(admin_user)
    patent = patents_service.create(owner, patent_data())
    patents_service.submit(owner, patent.id)
    with pytest.raises(ValidationFailed) as error:
        patents_service.moderate(admin, patent.id, "revise", "  ")
    assert "reason" in error.value.errors
    patents_service.moderate(admin, patent.id, "revise", "请补充技术指标")
    assert patent.status == ListingStatus.needs_revision and patent.moderation_note == "请补充技术指标"
    patents_service.update(owner, patent.id, {"title": "一种改进的高镍三元正极材料制备方法"})
    patents_service.submit(owner, patent.id)
    assert patent.status == ListingStatus.pending


def test_edits_to_published_listing_wait_for_review(tto_user, admin_user, university):
    owner, admin = identity_of(tto_user), identity_of(admin_user)
    patent = make_listing("patents", university)
    original_title = patent.title
    patents_service.update(owner, patent.id, {"title": "新标题：正极材料包覆工艺"})
    assert patent.title == original_title  # the public version is unchanged
    assert patent.pending_changes == {"title": "新标题：正极材料包覆工艺"}
    assert patents_service.dump(owner, patent)["has_pending_changes"] is True
    patents_service.moderate(admin, patent.id, "approve")
    assert patent.title == "新标题：正极材料包覆工艺" and patent.pending_changes is None
    assert patent.status == ListingStatus.approved


def test_unverified_org_can_draft_but_not_submit(db_session):
    org = OrganisationFactory(kind=OrgKind.university, verification_status=VerificationStatus.unverified)
    owner = identity_of(UserFactory(organisation=org))
    patent = patents_service.create(owner, patent_data())
    with pytest.raises(PermissionDenied):
        patents_service.submit(owner, patent.id)
    assert patent.status == ListingStatus.draft


def test_wrong_org_kind_cannot_create(buyer_user, db_session):
    before = _count(Patent, db_session)
    with pytest.raises(PermissionDenied):
        patents_service.create(identity_of(buyer_user), patent_data())
    assert _count(Patent, db_session) == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("patent_number", "CN202310123456.0"),  # wrong check digit
        ("patent_number", "US1234567"),
        ("ipc", ["G06F16"]),
        ("ipc", ["Z99Z 1/00"]),
        ("price", -5),
        ("trl", 10),
        ("maturity", "prototype"),
        ("coop_modes", ["barter"]),
        ("title", "x" * 301),
        ("indicators", [{"name": "续航", "comparator": "range", "value": 600, "value_max": 500}]),
    ],
)
def test_bad_patent_input_names_the_field_and_writes_nothing(tto_user, db_session, field, value):
    before = _count(Patent, db_session)
    with pytest.raises(ValidationFailed) as error:
        patents_service.create(identity_of(tto_user), patent_data(**{field: value}))
    assert field in error.value.errors
    assert _count(Patent, db_session) == before


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"budget_min": 300, "budget_max": 100}, "budget_max"),
        ({"budget_min": -1}, "budget_min"),
        ({"valid_until": "2001-01-01"}, "valid_until"),
        ({"visibility": "secret"}, "visibility"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_demand_input(buyer_user, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        demands_service.create(identity_of(buyer_user), demand_data(**overrides))
    assert field in error.value.errors


def test_confidential_fields_only_for_owner_and_admin(university, tto_user, admin_user, buyer_user):
    patent = make_listing("patents", university)
    assert "confidential_details" in patents_service.dump(identity_of(tto_user), patent)
    assert "confidential_details" in patents_service.dump(identity_of(admin_user), patent)
    assert "confidential_details" not in patents_service.dump(identity_of(buyer_user), patent)
    assert "confidential_details" not in patents_service.dump(Identity.anonymous(), patent)
    assert "confidential_details" not in patents_service.search_document(patent)


def test_members_only_demand_hidden_from_anonymous(enterprise, tto_user):
    demand = make_listing("demands", enterprise, visibility="members")
    assert demands_service.get(identity_of(tto_user), demand.id).id == demand.id
    with pytest.raises(NotFound):
        demands_service.get(Identity.anonymous(), demand.id)


def test_state_conflicts(university, tto_user, admin_user):
    owner = identity_of(tto_user)
    patent = make_listing("patents", university, status="rejected")
    with pytest.raises(Conflict) as error:
        patents_service.submit(owner, patent.id)
    assert error.value.extra["current_status"] == "rejected"
    with pytest.raises(Conflict):
        patents_service.moderate(identity_of(admin_user), patent.id, "approve")


def test_other_org_cannot_change_listing(university, tto_user, db_session):
    other = identity_of(UserFactory(organisation=OrganisationFactory(kind=OrgKind.university)))
    patent = make_listing("patents", university, status="draft")
    with pytest.raises(NotFound):
        patents_service.update(other, patent.id, {"title": "篡改的标题"})
    published = make_listing("patents", university)
    with pytest.raises(PermissionDenied):
        patents_service.withdraw(other, published.id)
    assert published.status == ListingStatus.approved


def test_every_write_records_an_outbox_row(tto_user, db_session):
    owner = identity_of(tto_user)
    before = _count(SearchOutbox, db_session)
    patent = patents_service.create(owner, patent_data())
    patents_service.update(owner, patent.id, {"title": "另一个标题的专利"})
    rows = db_session.scalars(select(SearchOutbox).where(SearchOutbox.object_id == patent.id)).all()
    assert _count(SearchOutbox, db_session) == before + 2
    assert {row.resource for row in rows} == {"patents"}


def test_upsert_is_idempotent(university):
    system = Identity.system()
    data = patent_data(external_id="P-1")
    first, changed = patents_service.upsert(system, university, data, publish=True)
    assert changed and first.status == ListingStatus.approved
    again, changed_again = patents_service.upsert(system, university, data, publish=True)
    assert again.id == first.id and changed_again is False
    _, changed_title = patents_service.upsert(system, university, {**data, "title": "更新后的标题"})
    assert changed_title


def test_audit_log_is_append_only(university, admin_user, db_session):
    make_listing("patents", university)
    entry = db_session.scalar(select(AuditEntry))
    entry.reason = "tampered"
    with pytest.raises(AppendOnlyError):
        db_session.flush()
