"""Organisation profiles and verification: request with a credit code, admin decision, audit entry."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.audit import AuditEntry
from app.orgs.models import OrgKind, VerificationStatus
from tests.api.conftest import API, bearer
from tests.factories import CREDIT_CODES, OrganisationFactory, UserFactory


@pytest.fixture
def applicant(db_session):
    """An unverified university with its org admin and a plain member, and a platform admin (committed)."""
    org = OrganisationFactory(kind=OrgKind.university, name="待认证大学", verification_status=VerificationStatus.unverified)
    users = {
        "org_admin": UserFactory(organisation=org, role=Role.org_admin),
        "member": UserFactory(organisation=org, role=Role.member),
        "admin": UserFactory(organisation=OrganisationFactory(kind=OrgKind.platform), role=Role.platform_admin),
    }
    db_session.commit()
    return org, {role: bearer(user) for role, user in users.items()}, users["admin"]


def test_request_verification_and_admin_verifies(client, applicant, db_session):
    org, h, admin = applicant
    response = client.post(f"{API}/orgs/{org.id}/verification", json={"credit_code": CREDIT_CODES[1].lower()},
                           headers=h["org_admin"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["verification_status"] == "pending"
    assert response.get_json()["credit_code"] == CREDIT_CODES[1]  # normalised to upper case

    queue = client.get(f"{API}/admin/verifications", headers=h["admin"]).get_json()
    assert org.id in [o["id"] for o in queue]

    response = client.post(f"{API}/admin/verifications/{org.id}", json={"decision": "verify"}, headers=h["admin"])
    assert response.status_code == 200 and response.get_json()["verification_status"] == "verified"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.object_type == "organisation",
                                                       AuditEntry.object_id == org.id))
    assert entry.action == "organisation.verify" and entry.actor_id == admin.id
    assert entry.before["verification_status"] == "pending" and entry.after["verification_status"] == "verified"
    audit = client.get(f"{API}/admin/audit?object_type=organisation&object_id={org.id}", headers=h["admin"])
    assert [e["action"] for e in audit.get_json()] == ["organisation.verify"]


def test_rejection_needs_a_reason(client, applicant, db_session):
    org, h, _ = applicant
    client.post(f"{API}/orgs/{org.id}/verification", json={"credit_code": CREDIT_CODES[2]}, headers=h["org_admin"])
    response = client.post(f"{API}/admin/verifications/{org.id}", json={"decision": "reject"}, headers=h["admin"])
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    db_session.expire_all()
    assert org.verification_status == VerificationStatus.pending
    response = client.post(f"{API}/admin/verifications/{org.id}", json={"decision": "reject", "reason": "证照不符"},
                           headers=h["admin"])
    assert response.status_code == 200 and response.get_json()["verification_note"] == "证照不符"


def test_wrong_check_character_is_422_naming_credit_code(client, applicant, db_session):
    org, h, _ = applicant
    wrong = CREDIT_CODES[0][:-1] + ("A" if CREDIT_CODES[0][-1] != "A" else "B")
    response = client.post(f"{API}/orgs/{org.id}/verification", json={"credit_code": wrong}, headers=h["org_admin"])
    assert response.status_code == 422 and "credit_code" in response.get_json()["errors"]
    db_session.expire_all()
    assert org.credit_code is None and org.verification_status == VerificationStatus.unverified


def test_profile_hides_credit_code_from_outsiders(client, university, tto_user, enterprise, buyer_user):
    university.credit_code = CREDIT_CODES[0]
    public = client.get(f"{API}/orgs/{university.id}").get_json()
    assert public["name"] == university.name and "credit_code" not in public
    assert "credit_code" not in client.get(f"{API}/orgs/{university.id}", headers=bearer(buyer_user)).get_json()
    assert client.get(f"{API}/orgs/{university.id}", headers=bearer(tto_user)).get_json()["credit_code"] == CREDIT_CODES[0]
    assert client.get(f"{API}/orgs/999999").status_code == 404
