"""The small service functions the pages needed: owner actions of a listing, cross-resource bulk moderation,
the organisation list, display names, a blank verification code, the market figures, and the form plumbing
that maps HTML forms to service input."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError, validate
from werkzeug.datastructures import MultiDict

from app.accounts import service as accounts
from app.accounts.models import Role
from app.analytics import service as analytics
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.formatting import local_today
from app.core.forms import Form
from app.core.identity import Identity
from app.deals.schemas import AgreeSchema
from app.moderation import service as moderation
from app.orgs import service as orgs
from app.orgs.models import OrgKind, VerificationStatus
from app.patents.form import FORM as PATENT_FORM
from app.patents.schemas import PatentSchema
from app.patents.service import patents_service
from tests.factories import OrganisationFactory, UserFactory, identity_of, make_listing

patents = patents_service


@pytest.mark.parametrize("status, admin, expected", [
    ("draft", True, {"update", "submit", "delete"}),
    ("draft", False, {"update", "submit"}),
    ("pending", True, {"update", "withdraw"}),
    ("approved", True, {"update", "withdraw"}),
    ("needs_revision", True, {"update", "submit", "withdraw"}),
    ("rejected", True, {"delete"}),
])
def test_owner_actions_follow_status_and_role(db_session, university, status, admin, expected):
    obj = make_listing("patents", university, status=status)
    owner = UserFactory(organisation=university, role=Role.org_admin if admin else Role.member)
    assert patents.actions_for(identity_of(owner), obj) == expected


def test_outsiders_have_no_owner_actions_and_unverified_owners_cannot_submit(db_session, university, buyer_user,
                                                                             admin_user):
    obj = make_listing("patents", university, status="draft")
    assert patents.actions_for(identity_of(buyer_user), obj) == set()
    assert patents.actions_for(identity_of(admin_user), obj) == set()
    university.verification_status = VerificationStatus.pending
    owner = UserFactory(organisation=university, role=Role.org_admin)
    assert patents.actions_for(identity_of(owner), obj) == {"update", "delete"}


def test_moderate_items_decides_several_resources_and_checks_the_batch_first(db_session, university, enterprise,
                                                                           admin_user):
    admin = identity_of(admin_user)
    patent = make_listing("patents", university, status="pending")
    demand = make_listing("demands", enterprise, status="pending")
    with pytest.raises(ValidationFailed) as error:
        moderation.moderate_items(admin, [("patents", patent.id), ("demands", demand.id)], "revise", "")
    assert set(error.value.errors) == {"reason"} and patent.status.value == "pending"
    with pytest.raises(ValidationFailed) as error:
        moderation.moderate_items(admin, [("bogus", 1)], "approve", None)
    assert set(error.value.errors) == {"items"}
    results = moderation.moderate_items(admin, [("patents", patent.id), ("demands", demand.id), ("patents", 999999)],
                                        "revise", "补充材料")
    assert [(r["resource"], r["ok"]) for r in results] == [("patents", True), ("patents", False), ("demands", True)]
    assert patent.status.value == demand.status.value == "needs_revision"
    with pytest.raises(PermissionDenied):
        moderation.moderate_items(Identity(user_id=1, org_id=university.id, role="org_admin"), [], "approve", None)


def test_list_organisations_for_platform_admins(db_session, university, enterprise, admin_user, tto_user):
    pending = OrganisationFactory(name="待认证机构", verification_status=VerificationStatus.pending)
    admin = identity_of(admin_user)
    assert orgs.list_organisations(admin, status="pending") == [pending]
    assert orgs.list_organisations(admin, kind="enterprise") == [enterprise]
    assert {o.id for o in orgs.list_organisations(admin)} >= {university.id, enterprise.id, pending.id}
    with pytest.raises(ValidationFailed):
        orgs.list_organisations(admin, status="nonsense")
    with pytest.raises(PermissionDenied):
        orgs.list_organisations(identity_of(tto_user))


def test_display_names(db_session, tto_user, buyer_user):
    assert accounts.display_names([tto_user.id, buyer_user.id, None]) == {
        tto_user.id: tto_user.display_name, buyer_user.id: buyer_user.display_name}
    assert accounts.display_names([]) == {}


def test_a_blank_credit_code_is_refused(db_session):
    org = OrganisationFactory(verification_status=VerificationStatus.unverified)
    owner = UserFactory(organisation=org, role=Role.org_admin)
    with pytest.raises(ValidationFailed) as error:
        orgs.request_verification(identity_of(owner), "  ")
    assert set(error.value.errors) == {"credit_code"} and org.verification_status == VerificationStatus.unverified


def test_market_figures(db_session, university, enterprise, provider, admin_user, tto_user):
    make_listing("patents", university, status="approved")
    make_listing("patents", university, status="draft")
    expired = make_listing("demands", enterprise, status="approved")
    expired.valid_until = local_today() - timedelta(days=1)
    old = make_listing("services", provider, status="pending")
    old.created_at = datetime.now(UTC) - timedelta(weeks=3)
    OrganisationFactory(kind=OrgKind.enterprise, verification_status=VerificationStatus.pending)
    db_session.flush()

    figures = analytics.market_figures(identity_of(admin_user))
    assert figures["listings"]["patents"] == {"draft": 1, "pending": 0, "approved": 1, "needs_revision": 0,
                                              "rejected": 0, "withdrawn": 0}
    assert figures["listings"]["services"]["pending"] == 1 and figures["expired_demands"] == 1
    assert figures["organisations"]["enterprise"] == {"unverified": 0, "pending": 1, "verified": 1, "rejected": 0}
    weeks = figures["weeks"]
    assert len(weeks) == 12 and weeks[-1]["week"] == local_today() - timedelta(days=local_today().weekday())
    assert weeks[-1]["created"] == {"patents": 2, "demands": 1, "services": 0} and weeks[-1]["published"] == 2
    assert weeks[-4]["created"]["services"] == 1
    with pytest.raises(PermissionDenied):
        analytics.market_figures(identity_of(tto_user))


# ---------------------------------------------------------------- form plumbing


def test_forms_turn_html_input_into_service_input():
    posted = MultiDict([("title", " 标题 "), ("abstract", "摘要内容足够长了吗"), ("patent_number", ""), ("trl", ""),
                        ("ipc", "G06F 16/35，H01M 4/525\nG06N 3/08"), ("coop_modes", "equity"),
                        ("indicators-name", "厚度"), ("indicators-comparator", "range"), ("indicators-value", "20"),
                        ("indicators-value_max", "50"), ("indicators-unit", ""),
                        ("indicators-name", ""), ("indicators-comparator", "eq"), ("indicators-value", ""),
                        ("indicators-value_max", ""), ("indicators-unit", "")])
    data = Form.from_request(PATENT_FORM, PatentSchema(), posted).data()
    assert data["title"] == "标题" and data["patent_number"] is None and data["trl"] is None
    assert data["ipc"] == ["G06F 16/35", "H01M 4/525", "G06N 3/08"] and data["coop_modes"] == ["equity"]
    assert data["price_negotiable"] is False and "patent_type" not in data  # blank with a default: left out
    assert data["indicators"] == [{"name": "厚度", "comparator": "range", "value": "20", "value_max": "50", "unit": None}]


def test_forms_show_stored_values_and_the_schema_defaults():
    form = Form.from_data(PATENT_FORM, PatentSchema(),
                          {"price": 1200000.0, "ipc": ["G06F 16/35", "H01M 4/525"], "price_negotiable": False,
                           "indicators": [{"name": "厚度", "comparator": "eq", "value": 20.5, "unit": "μm"}]})
    assert form.values["price"] == "1200000" and form.values["ipc"] == "G06F 16/35, H01M 4/525"
    assert form.values["indicators"] == [{"name": "厚度", "comparator": "eq", "value": "20.5", "value_max": "",
                                          "unit": "μm"}]
    blank = Form.blank(PATENT_FORM, PatentSchema())
    assert blank.values["patent_type"] == "invention" and blank.values["price_negotiable"] is True
    assert len(blank.values["indicators"]) == 1


@pytest.mark.parametrize("language, expected", [
    ("zh-CN", {"title": ["请输入 2 至 300 个字符。"], "patent_number": ["校验位错误：申请号 202310123456 的校验位应为 6，而不是 0。"],
               "abstract": ["此项为必填项。", "至少输入 10 个字符。"]}),
    ("en", {"title": ["Enter 2 to 300 characters."],
            "patent_number": ["Wrong check digit: for 202310123456 it is 6, not 0."],
            "abstract": ["This field is required.", "Enter at least 10 characters."]}),
])
def test_schema_messages_are_in_the_requests_language(app, language, expected):
    """Marshmallow's own messages and the schemas' messages come from the catalogue, not from English text."""
    with app.test_request_context(headers={"Accept-Language": language}):
        errors = PatentSchema().validate({"title": "x", "patent_number": "CN202310123456.0", "abstract": None})
        assert {key: [str(m) for m in errors[key]] for key in expected} == expected


@pytest.mark.parametrize("bounds, value, expected", [
    ({"min": 1}, 0, "Enter a value of at least 1."),
    ({"min": 0, "min_inclusive": False}, 0, "Enter a value above 0."),
    ({"max": 10, "max_inclusive": False}, 10, "Enter a value below 10."),
    ({"min": 0, "max": 1e12}, -1, "Enter a value from 0 to 1,000,000,000,000."),
    ({"min": 0, "max": 100, "min_inclusive": False}, 0, "Enter a value between 0 and 100."),
])
def test_range_messages_word_the_bound_as_the_range_allows_it(app, bounds, value, expected):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValidationError) as refused:
            validate.Range(**bounds)(value)
        assert refused.value.messages == [expected]


@pytest.mark.parametrize("language, expected", [("zh-CN", "请勾选以表示同意。"), ("en", "Tick the box to agree.")])
def test_a_schemas_own_lazy_message_is_in_the_requests_language(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert AgreeSchema().validate({"agree": False}).get("agree") == [expected]
