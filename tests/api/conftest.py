"""API test fixtures: bearer tokens per user, a small real PDF, and a "world" per listing resource.

A world holds the owning organisation (verified) with a plain member and an org admin, another
organisation of the same kind, a platform admin, and a draft and a published listing of the owner.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from pypdf import PdfWriter

from app.accounts.models import Role
from app.orgs.models import OrgKind
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    bearer,
    demand_data,
    make_listing,
    patent_data,
    service_data,
)

API = "/api/v1"
OWNER_KIND = {"patents": OrgKind.university, "demands": OrgKind.enterprise, "services": OrgKind.service_provider}
DATA = {"patents": patent_data, "demands": demand_data, "services": service_data}
RESOURCES = list(OWNER_KIND)


@pytest.fixture(autouse=True)
def no_index_drain(app, monkeypatch):
    """API tests check the database and responses; outbox rows are still written (and rolled back), but the
    embedded index is not updated after every commit (it made these tests three times slower)."""
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


def pdf_bytes(pages: int = 1) -> bytes:
    """A small, valid PDF made by pypdf."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass
class World:
    resource: str
    owner_org: object
    other_org: object
    member: object
    org_admin: object
    other: object
    admin: object
    draft: object
    published: object
    headers: dict

    def url(self, obj=None, suffix: str = "") -> str:
        base = f"{API}/{self.resource}"
        return (base if obj is None else f"{base}/{obj if isinstance(obj, int) else obj.id}") + suffix


ACTORS = ["anonymous", "member", "org_admin", "other", "admin"]


def build_world(resource: str) -> World:
    kind = OWNER_KIND[resource]
    owner_org = OrganisationFactory(kind=kind, name=f"拥有方-{resource}")
    other_org = OrganisationFactory(kind=kind, name=f"其他方-{resource}")
    platform = OrganisationFactory(kind=OrgKind.platform, name=f"平台-{resource}")
    member = UserFactory(organisation=owner_org, role=Role.member)
    org_admin = UserFactory(organisation=owner_org, role=Role.org_admin)
    other = UserFactory(organisation=other_org, role=Role.org_admin)
    admin = UserFactory(organisation=platform, role=Role.platform_admin)
    draft = make_listing(resource, owner_org, status="draft", title="草稿：尚未公开的成果")
    published = make_listing(resource, owner_org, status="approved")
    users = {"anonymous": None, "member": member, "org_admin": org_admin, "other": other, "admin": admin}
    headers = {actor: bearer(user) for actor, user in users.items()}
    return World(resource, owner_org, other_org, member, org_admin, other, admin, draft, published, headers)


@pytest.fixture(params=RESOURCES)
def world(request, db_session) -> World:
    """A world for each listing resource."""
    return build_world(request.param)


@pytest.fixture
def patent_world(db_session) -> World:
    return build_world("patents")
