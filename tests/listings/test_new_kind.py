"""A listing kind is one declaration: a throw-away fourth kind ("gadgets"), declared and registered by a domain of
its own and nothing else, can be created, submitted, moderated and found through the API, and appears in the
moderation queue, the search API, the search page and the OpenAPI document, without an edit anywhere in the app.

What a real new kind touches: its package (models, schemas, policy, service, form, api, ``init_app`` with its
``ListingKind``), its search mapping in ``search/mappings``, a migration, its place in ``app.DOMAINS``, and its
labels in the translation catalogues."""
from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from flask_babel import lazy_gettext as _l
from flask_migrate import upgrade
from marshmallow import fields, validate
from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import DOMAINS, create_app, service_offers
from app.accounts.models import Role
from app.core import wiring
from app.core.extensions import db
from app.core.forms import FormField, FormSection
from app.listings import registry
from app.listings.models import ListingMixin
from app.listings.policy import ListingPolicy
from app.listings.resource import listing_blueprint
from app.listings.schemas import ListingSchema
from app.listings.service import ListingService
from app.orgs.models import OrgKind, VerificationStatus
from search.specs import MAPPINGS_DIR
from tests.conftest import app_settings
from tests.factories import OrganisationFactory, UserFactory, bearer

TITLE = "可折叠光伏背板快速装配夹具"


@pytest.fixture(scope="module")
def gadget_domain(tmp_path_factory):
    """The whole throw-away domain: model, schema, policy, service, form, search mapping and its init_app."""

    class Gadget(ListingMixin, db.Model):
        __tablename__ = "trial_gadgets"
        description: Mapped[str] = mapped_column(Text, nullable=False)
        organisation = relationship("Organisation", lazy="joined")

    class GadgetSchema(ListingSchema):
        description = fields.String(required=True, validate=validate.Length(min=10, max=5000))

    class GadgetPolicy(ListingPolicy):
        creator_kinds = ("enterprise",)

    service = ListingService(resource="gadgets", model=Gadget, schema_cls=GadgetSchema, policy=GadgetPolicy(),
                             confidential=())
    mapping = json.loads((MAPPINGS_DIR / "services.v3.json").read_text(encoding="utf-8"))
    properties = mapping["mappings"]["properties"]
    for name in ("capabilities", "equipment", "kind", "industries", "price_from"):
        properties.pop(name)
    mapping["mappings"]["_meta"]["boosts"] = {"title": 3.0, "keywords": 2.0, "description": 1.0}
    mapping_file = Path(tmp_path_factory.mktemp("mapping")) / "gadgets.v1.json"
    mapping_file.write_text(json.dumps(mapping), encoding="utf-8")

    def init_app(app):
        registry.register(registry.ListingKind(
            service=service, name=_l("Gadgets"), singular=_l("gadget"), owner_kind="enterprise",
            form=(FormSection(_l("Gadget"), (FormField("title", _l("Title"), required=True),
                                             FormField("description", _l("Description"), "textarea"))),),
            facets=("region", "org_kind"), ranges={}, highlight=("title", "description"), price_field=None,
            facts=("region", "keywords", "published_at"), mapping=mapping_file,
        ))
        wiring.register(app, apis=[listing_blueprint(service, name="gadgets_api", description="Gadgets")])

    yield types.SimpleNamespace(init_app=init_app, model=Gadget)
    registry.unregister("gadgets")
    db.metadata.remove(Gadget.__table__)  # the migrations test compares the metadata with the migrations


@pytest.fixture(scope="module")
def gadget_site(gadget_domain, tmp_path_factory):
    """A site of its own (SQLite file, index folder) whose domains are the app's plus the gadget domain."""
    folder = tmp_path_factory.mktemp("gadgets")
    position = DOMAINS.index(service_offers) + 1  # beside the other kinds, before search and moderation wire up
    domains = (*DOMAINS[:position], gadget_domain, *DOMAINS[position:])
    app = create_app(app_settings(folder, f"sqlite:///{folder / 'site.sqlite3'}", TESTING=True,
                                  SEARCH_DRAIN_AFTER_COMMIT=True), domains=domains)
    with app.app_context():
        upgrade()
        gadget_domain.model.__table__.create(db.engine)
        OrganisationFactory._meta.sqlalchemy_session = db.session
        UserFactory._meta.sqlalchemy_session = db.session
        maker = OrganisationFactory(kind=OrgKind.enterprise, verification_status=VerificationStatus.verified)
        platform = OrganisationFactory(kind=OrgKind.platform, verification_status=VerificationStatus.verified)
        people = {"maker": bearer(UserFactory(organisation=maker, role=Role.org_admin)),
                  "admin": bearer(UserFactory(organisation=platform, role=Role.platform_admin))}
        db.session.commit()
    yield app, people
    with app.app_context():
        db.session.remove()


def test_a_new_kind_is_listed_moderated_and_found_without_edits_elsewhere(gadget_site):
    app, people = gadget_site
    client = app.test_client()

    created = client.post("/api/v1/gadgets", headers=people["maker"],
                          json={"title": TITLE, "description": "三步装配，单人两分钟完成背板固定。", "region": "江苏"})
    assert created.status_code == 201, created.get_json()
    gadget_id = created.get_json()["id"]
    bad = client.post("/api/v1/gadgets", headers=people["maker"], json={"title": TITLE})
    assert bad.status_code == 422 and "description" in bad.get_json()["errors"]

    assert client.post(f"/api/v1/gadgets/{gadget_id}/submit", headers=people["maker"]).status_code == 200
    queue = client.get("/api/v1/admin/moderation?resource=gadgets", headers=people["admin"])
    assert queue.status_code == 200, queue.get_json()
    assert [item["listing"]["id"] for item in queue.get_json()] == [gadget_id]

    decided = client.post("/api/v1/admin/moderation/bulk", headers=people["admin"],
                          json={"resource": "gadgets", "ids": [gadget_id], "decision": "approve"})
    assert decided.status_code == 200, decided.get_json()

    found = client.get("/api/v1/search/gadgets", query_string={"q": "背板 装配"})
    assert found.status_code == 200, found.get_json()
    assert [hit["id"] for hit in found.get_json()["hits"]] == [gadget_id]
    assert client.get(f"/api/v1/gadgets/{gadget_id}").get_json()["status"] == "approved"

    page = client.get("/search/gadgets", query_string={"q": "背板"})
    assert page.status_code == 200 and TITLE in page.get_data(as_text=True)

    document = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/gadgets", "/api/v1/search/gadgets"} <= set(document["paths"])
    unknown = client.get("/api/v1/admin/moderation?resource=widgets", headers=people["admin"])
    assert unknown.status_code == 422 and "resource" in unknown.get_json()["errors"], unknown.get_json()
