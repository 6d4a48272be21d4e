"""Registration and the account page: an organisation with its first user (its admin), password rules,
messages next to the fields in Chinese, nothing written on bad input; verification requests with the
unified social credit code (a wrong check character is a form message)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from tests.factories import CREDIT_CODES, OrganisationFactory, UserFactory
from tests.web.helpers import errors_of

pytestmark = pytest.mark.usefixtures("no_index_drain")

GOOD = {"org_name": "江南理工大学技术转移中心", "org_kind": "university", "region": "江苏", "display_name": "王老师",
        "email": "wang@jiangnan.example.cn", "password": "a-long-passphrase", "password_confirm": "a-long-passphrase"}


def _counts(db_session) -> tuple[int, int]:
    return (db_session.scalar(select(func.count()).select_from(User)),
            db_session.scalar(select(func.count()).select_from(Organisation)))


def test_the_form_is_in_chinese_and_offers_every_kind_but_platform(client, db_session):
    page = client.get("/register").get_data(as_text=True)
    assert "机构注册" in page and "统一社会信用代码" in page and "至少 10 个字符" in page
    for kind in ("university", "institute", "enterprise", "service_provider"):
        assert f'value="{kind}"' in page
    assert 'value="platform"' not in page


def test_registering_creates_an_unverified_organisation_whose_admin_then_logs_in(client, db_session, smtp_server):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302 and response.location == "/login"
    user = db_session.scalar(select(User).where(User.email == GOOD["email"]))
    assert user.role == Role.org_admin and user.organisation.kind == OrgKind.university
    assert user.organisation.verification_status == VerificationStatus.unverified
    assert [m["To"] for m in smtp_server] == [GOOD["email"]] and "/login" in smtp_server[0].get_content()
    client.post("/login", data={"email": GOOD["email"], "password": GOOD["password"]})
    account = client.get("/account").get_data(as_text=True)
    assert "王老师" in account and "未认证" in account and 'id="verification-form"' in account


@pytest.mark.parametrize("change, field, message", [
    ({"password": "short", "password_confirm": "short"}, "password", "请输入 10 至 200 个字符"),
    ({"password_confirm": "another-passphrase"}, "password_confirm", "两次输入的密码不一致"),
    ({"email": "not-an-address"}, "email", "请输入有效的电子邮箱地址"),
    ({"org_name": ""}, "org_name", "请输入 2 至 200 个字符"),
    ({"display_name": ""}, "display_name", "请输入 1 至 100 个字符"),
    ({"org_kind": "platform"}, "org_kind", "请从给定的选项中选择"),
    ({"region": "省" * 65}, "region", "最多输入 64 个字符"),
])
def test_bad_input_is_a_message_next_to_the_field_and_writes_nothing(client, db_session, change, field, message):
    before = _counts(db_session)
    response = client.post("/register", data={**GOOD, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any(message in m for m in errors_of(page, field)), errors_of(page, field)
    assert _counts(db_session) == before
    assert f'value="{GOOD["display_name"]}"' in page or field == "display_name"  # what was typed is kept
    assert GOOD["password"] not in page  # passwords are never sent back


def test_a_taken_organisation_name_is_a_conflict_named_at_its_field(login, db_session):
    existing = OrganisationFactory(name="已存在的大学")
    client = login(None)
    before = _counts(db_session)
    response = client.post("/register", data={**GOOD, "org_name": existing.name})
    assert response.status_code == 409
    assert errors_of(response.get_data(as_text=True), "org_name") == ["同名机构已存在。"]
    assert _counts(db_session) == before


def test_a_registered_email_gets_the_same_answer_and_its_owner_an_e_mail(login, db_session, smtp_server):
    """No account enumeration: the page answers as for a new address; the address's owner is told by mail."""
    existing = UserFactory(email="taken@example.cn", organisation=OrganisationFactory(name="已存在的大学"))
    client = login(None)
    before = _counts(db_session)
    fresh = client.post("/register", data={**GOOD, "email": "fresh@example.cn", "org_name": "另一所大学"})
    login(None)
    taken = client.post("/register", data={**GOOD, "email": existing.email.upper()})
    assert (taken.status_code, taken.location) == (fresh.status_code, fresh.location) == (302, "/login")
    assert _counts(db_session) == (before[0] + 1, before[1] + 1)  # only the fresh address created anything
    told = [m for m in smtp_server if m["To"] == existing.email]
    assert len(told) == 1 and "/password/forgot" in told[0].get_content()


def test_logged_in_users_go_to_their_account_instead(login, tto_user):
    assert login(tto_user).get("/register").location == "/account"


def test_the_english_interface_shows_english_labels(client, db_session):
    client.post("/language/en")
    page = client.get("/register").get_data(as_text=True)
    assert "Register your organisation" in page and "Unified social credit code" not in page


# ---------------------------------------------------------------- the account page and verification


@pytest.fixture
def newcomer(db_session):
    org = OrganisationFactory(name="新注册的研究院", kind=OrgKind.institute,
                              verification_status=VerificationStatus.unverified)
    return UserFactory(organisation=org, role=Role.org_admin)


def _org(db_session, user) -> Organisation:
    db_session.expire_all()
    return db_session.get(Organisation, user.org_id)


@pytest.mark.parametrize("code, message", [
    ("91110000600037341X", "统一社会信用代码的校验码不正确。"),
    ("9111000060003734", "不是有效的统一社会信用代码（应为 18 位数字或大写字母）。"),
    ("", "请填写统一社会信用代码。"),
])
def test_a_wrong_credit_code_is_a_form_message_and_changes_nothing(login, db_session, newcomer, code, message):
    response = login(newcomer).post("/account", data={"credit_code": code})
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True), "credit_code") == [message]
    org = _org(db_session, newcomer)
    assert org.credit_code is None and org.verification_status == VerificationStatus.unverified


def test_a_valid_code_asks_for_verification_and_can_be_corrected_while_pending(login, db_session, newcomer):
    client = login(newcomer)
    response = client.post("/account", data={"credit_code": " 91110000600037341l "})
    assert response.status_code == 302
    org = _org(db_session, newcomer)
    assert org.credit_code == CREDIT_CODES[0] and org.verification_status == VerificationStatus.pending
    page = client.get("/account").get_data(as_text=True)
    assert "认证审核中" in page and "在此之前您仍可更正代码" in page
    assert client.post("/account", data={"credit_code": CREDIT_CODES[1]}).status_code == 302
    assert _org(db_session, newcomer).credit_code == CREDIT_CODES[1]


def test_a_code_another_organisation_uses_is_refused_at_the_field(login, db_session, newcomer):
    OrganisationFactory(name="已认证的企业", credit_code=CREDIT_CODES[2])
    response = login(newcomer).post("/account", data={"credit_code": CREDIT_CODES[2]})
    assert response.status_code == 409
    assert errors_of(response.get_data(as_text=True), "credit_code") == ["该统一社会信用代码已被其他机构使用。"]
    assert _org(db_session, newcomer).credit_code is None


def test_members_see_their_organisation_but_cannot_ask_for_verification(login, db_session, newcomer):
    member = UserFactory(organisation=newcomer.organisation, role=Role.member)
    client = login(member)
    page = client.get("/account").get_data(as_text=True)
    assert "只有本机构管理员可以申请认证" in page and 'id="verification-form"' not in page
    assert client.post("/account", data={"credit_code": CREDIT_CODES[0]}).status_code == 403
    assert _org(db_session, newcomer).verification_status == VerificationStatus.unverified


def test_a_rejected_organisation_reads_the_admins_reason(login, db_session):
    org = OrganisationFactory(name="被驳回的机构", verification_status=VerificationStatus.rejected,
                              verification_note="营业执照名称与机构名称不一致")
    page = login(UserFactory(organisation=org, role=Role.org_admin)).get("/account").get_data(as_text=True)
    assert "认证未通过" in page and "营业执照名称与机构名称不一致" in page and 'id="verification-form"' in page


def test_the_navigation_links_follow_who_is_logged_in(app, login, tto_user, admin_user):
    anonymous = login(None).get("/register").get_data(as_text=True)
    assert 'href="/register"' in anonymous and 'href="/my/listings"' not in anonymous
    page = login(tto_user).get("/account").get_data(as_text=True)
    assert 'href="/my/listings"' in page and 'href="/admin/moderation"' not in page
    assert ('href="/deals/"' in page) == ("deals.index" in app.view_functions)  # only once deals exist
    page = login(admin_user).get("/account").get_data(as_text=True)
    assert 'href="/admin/moderation"' in page and 'href="/my/listings"' not in page
