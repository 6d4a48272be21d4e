"""Accounts and organisations: registration, passwords, tokens, verification."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.core.audit import AuditEntry
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.validators import application_check_char, normalise_patent_number
from app.orgs import service as orgs
from app.orgs.models import VerificationStatus
from tests.factories import PASSWORD, identity_of

REGISTRATION = {
    "email": "tto@pku.example.cn",
    "password": "a-long-passphrase",
    "display_name": "王老师",
    "org_name": "示例大学技术转移办公室",
    "org_kind": "university",
}


def test_register_creates_org_admin_with_argon2_hash(db_session):
    user = accounts.register(REGISTRATION)
    assert user.role == Role.org_admin and user.organisation.verification_status == VerificationStatus.unverified
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.authenticate("TTO@pku.example.cn", "a-long-passphrase").id == user.id
    assert accounts.authenticate("tto@pku.example.cn", "wrong") is None
    assert accounts.authenticate("nobody@example.cn", "whatever") is None


@pytest.mark.parametrize(
    "overrides, field",
    [({"email": "not-an-email"}, "email"), ({"password": "short"}, "password"), ({"org_kind": "platform"}, "org_kind"),
     ({"credit_code": "91110000600037341A"}, "credit_code")],
)
def test_registration_errors_name_the_field(db_session, overrides, field):
    before = db_session.scalar(select(func.count(User.id)))
    with pytest.raises(ValidationFailed) as error:
        accounts.register({**REGISTRATION, **overrides})
    assert field in error.value.errors
    assert db_session.scalar(select(func.count(User.id))) == before


def test_a_registered_email_creates_nothing_and_returns_none(db_session, tto_user):
    """No account enumeration: the caller answers as for a new address; the owner is told by e-mail."""
    before = db_session.scalar(select(func.count(User.id)))
    assert accounts.register({**REGISTRATION, "email": tto_user.email}) is None
    assert db_session.scalar(select(func.count(User.id))) == before


def test_api_token_round_trip(tto_user, app):
    token = accounts.create_token(tto_user, "script")
    with app.test_request_context(headers={"Authorization": f"Bearer {token}"}):
        from flask_login import current_user

        assert current_user.id == tto_user.id
    assert accounts.authenticate(tto_user.email, PASSWORD).id == tto_user.id


def test_verification_flow_is_audited(db_session, admin_user):
    user = accounts.register(REGISTRATION)
    owner = identity_of(user)
    with pytest.raises(ValidationFailed) as error:
        orgs.request_verification(owner, "91110000600037341X")  # wrong check character
    assert "credit_code" in error.value.errors
    orgs.request_verification(owner, "91110000600037341L")
    assert user.organisation.verification_status == VerificationStatus.pending
    with pytest.raises(PermissionDenied):
        orgs.decide_verification(owner, user.org_id, "verify")
    orgs.decide_verification(identity_of(admin_user), user.org_id, "verify")
    assert user.organisation.is_verified
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.verify"))
    assert entry.before["verification_status"] == "pending" and entry.after["verification_status"] == "verified"


def test_patent_number_check_digit_matches_a_real_number():
    # 201710601862.3 is a real CNIPA application number.
    assert application_check_char("201710601862") == "3"
    assert normalise_patent_number("zl 201710601862.3") == "ZL201710601862.3"
    assert normalise_patent_number("ＣＮ２０１７１０６０１８６２.３") == "CN201710601862.3"  # full-width input
    with pytest.raises(ValueError):
        normalise_patent_number("CN201710601862.4")
