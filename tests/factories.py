"""Test factories: organisations and users through factory_boy, listings through the services themselves
(as CKAN's factories do), so tests start from states the application can really reach.
"""
from __future__ import annotations

import itertools
from datetime import timedelta

import factory
import pytest

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.accounts.service import hash_password
from app.core.extensions import db
from app.core.formatting import local_today
from app.core.identity import Identity
from app.core.validators import application_check_char
from app.demands.service import demands_service
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.service import patents_service
from app.service_offers.service import service_offers_service

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)  # hashing is deliberately slow; do it once
_serial = itertools.count(1)

# Valid unified social credit codes (check characters verified by python-stdnum).
CREDIT_CODES = ["91110000600037341L", "91310000MA1FL1MMXL", "91440300708461136T"]


class OrganisationFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = Organisation
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the test's rolled-back session
        sqlalchemy_session_persistence = "flush"

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = OrgKind.university
    region = "北京"
    verification_status = VerificationStatus.verified


class UserFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = _HASH
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.member


def patent_number() -> str:
    """A fresh valid CN application number with its check digit."""
    digits = f"2023101{next(_serial):05d}"
    return f"CN{digits}.{application_check_char(digits)}"


def patent_data(**overrides) -> dict:
    data = {
        "title": "一种高镍三元正极材料的制备方法",
        "abstract": "本发明公开了一种高镍三元正极材料的制备方法，提高了锂离子电池的能量密度和循环寿命。",
        "patent_number": patent_number(),
        "ipc": ["H01M 4/525"],
        "maturity": "pilot",
        "trl": 6,
        "coop_modes": ["assignment", "exclusive_licence"],
        "price": 1200000,
        "price_negotiable": False,
        "industry": "新能源",
        "region": "北京",
        "keywords": ["正极材料", "锂电池"],
        "indicators": [{"name": "能量密度", "comparator": "eq", "value": 300, "unit": "Wh/kg"}],
        "confidential_details": "烧结温度曲线：780℃保温12小时（保密）",
    }
    data.update(overrides)
    return data


def demand_data(**overrides) -> dict:
    data = {
        "title": "动力电池能量密度提升技术",
        "description": "我公司需要将动力电池单体能量密度提升到280Wh/kg以上，寻求正极材料相关技术合作。",
        "industry": "新能源",
        "region": "江苏",
        "budget_min": 500000,
        "budget_max": 2000000,
        "valid_until": (local_today() + timedelta(days=90)).isoformat(),
        "required_maturity": "pilot",
        "coop_modes": ["assignment"],
        "indicators": [{"name": "能量密度", "comparator": "gte", "value": 280, "unit": "Wh/kg"}],
    }
    data.update(overrides)
    return data


def service_data(**overrides) -> dict:
    data = {
        "kind": "pilot",
        "title": "锂电池正极材料中试线",
        "description": "具备年产50吨正极材料的中试线，可进行烧结、包覆工艺放大验证。",
        "capabilities": "共沉淀、烧结、包覆",
        "qualifications": [{"type": "CNAS", "number": "CNAS L12345"}],
        "lead_time_days": 30,
        "region": "江苏",
        "industries": ["新能源"],
    }
    data.update(overrides)
    return data


_SERVICES = {"patents": (patents_service, patent_data), "demands": (demands_service, demand_data),
             "services": (service_offers_service, service_data)}


def make_listing(resource: str, org: Organisation, *, status: str = "approved", **overrides):
    """Create a listing through the service and drive it to ``status`` the way users would."""
    service, defaults = _SERVICES[resource]
    owner = Identity(org_id=org.id, org_kind=org.kind.value, role="org_admin", org_verified=org.is_verified, user_id=None)
    obj = service.create(Identity.system(), defaults(**overrides), org=org)
    if status == "draft":
        return obj
    service.submit(owner, obj.id)
    if status != "pending":
        decision = {"approved": "approve", "needs_revision": "revise", "rejected": "reject"}[status]
        service.moderate(Identity.system(), obj.id, decision, None if decision == "approve" else "需补充材料")
    return obj


def bearer(user: User | None) -> dict:
    """Authorization header with a fresh API token of ``user`` (no header for anonymous)."""
    if user is None:
        return {}
    return {"Authorization": f"Bearer {accounts.create_token(user, 'test')}"}


def identity_of(user: User) -> Identity:
    return Identity.of(user)


@pytest.fixture
def university(db_session):
    return OrganisationFactory(kind=OrgKind.university, name="示范大学技术转移中心")


@pytest.fixture
def enterprise(db_session):
    return OrganisationFactory(kind=OrgKind.enterprise, name="示范电池制造有限公司", region="江苏")


@pytest.fixture
def provider(db_session):
    return OrganisationFactory(kind=OrgKind.service_provider, name="示范中试基地", region="江苏")


@pytest.fixture
def platform_org(db_session):
    return OrganisationFactory(kind=OrgKind.platform, name="技桥平台")


@pytest.fixture
def tto_user(university):
    return UserFactory(organisation=university, role=Role.org_admin)


@pytest.fixture
def buyer_user(enterprise):
    return UserFactory(organisation=enterprise, role=Role.org_admin)


@pytest.fixture
def provider_user(provider):
    return UserFactory(organisation=provider, role=Role.org_admin)


@pytest.fixture
def admin_user(platform_org):
    return UserFactory(organisation=platform_org, role=Role.platform_admin)
