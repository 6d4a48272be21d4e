"""Sale test fixtures: a seller (a university TTO), three verified enterprises, an unverified one and a platform
admin; sales of each kind driven to any status by real actions; a check after every test that each sale's history
replays to its stored status."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.orgs.models import OrgKind, VerificationStatus
from app.payments import service as payments
from app.sales.models import Sale, SaleParticipant
from app.sales.service import sales_service
from tests.factories import OrganisationFactory, UserFactory, identity_of, make_listing

TERMS = {"territory": "中国大陆", "field_of_use": "动力电池正极材料", "conditions": "转让方提供工艺包。"}


@dataclass
class Market:
    seller_org: object
    seller: object
    seller_member: object
    buyer: object  # a verified enterprise that has not taken part yet
    bidder: object  # another verified enterprise (registered with its deposit in the auction scenarios)
    third: object
    outsider: object  # an enterprise whose verification is pending
    admin: object
    patent: object

    def identity(self, actor: str) -> Identity:
        """``seller``, ``buyer``, ``bidder``, ``third``, ``outsider``, ``admin``, ``system`` or ``anonymous``."""
        if actor == "system":
            return Identity.system()
        if actor == "anonymous":
            return Identity.anonymous()
        return identity_of(getattr(self, actor))


def build_market() -> Market:
    seller_org = OrganisationFactory(kind=OrgKind.university, name="示范大学技术转移中心", credit_code="91110000600037341L")
    enterprises = [OrganisationFactory(kind=OrgKind.enterprise, name=name) for name in
                   ("示范电池制造有限公司", "竞买科技有限公司", "第三材料有限公司")]
    pending = OrganisationFactory(kind=OrgKind.enterprise, name="待认证企业", verification_status=VerificationStatus.pending)
    platform = OrganisationFactory(kind=OrgKind.platform, name="技桥平台")
    return Market(
        seller_org=seller_org, seller=UserFactory(organisation=seller_org, role=Role.org_admin),
        seller_member=UserFactory(organisation=seller_org, role=Role.member),
        buyer=UserFactory(organisation=enterprises[0], role=Role.org_admin),
        bidder=UserFactory(organisation=enterprises[1], role=Role.org_admin),
        third=UserFactory(organisation=enterprises[2], role=Role.member),
        outsider=UserFactory(organisation=pending, role=Role.org_admin),
        admin=UserFactory(organisation=platform, role=Role.platform_admin),
        patent=make_listing("patents", seller_org),
    )


@pytest.fixture(autouse=True)
def quiet_index(app, monkeypatch):
    """Sale tests read the database; the embedded index need not follow every listing write."""
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


@pytest.fixture(autouse=True)
def every_sale_replays(db_session):
    """After each test: every sale's events replay, through the machine, to its stored status."""
    yield
    db.session.rollback()
    for sale in db.session.scalars(select(Sale)):
        assert sales_service.replay(sale) == sale.status.value, f"sale {sale.id} does not replay"


@pytest.fixture
def market(db_session) -> Market:
    return build_market()


def put_up(market: Market, kind: str, patent=None, **extra) -> Sale:
    """A new sale of ``kind`` by the seller, of ``patent`` or a fresh published patent."""
    patent = patent or make_listing("patents", market.seller_org)
    data = {"kind": kind, "patent_id": patent.id, "price": "500000.00", "terms": dict(TERMS)}
    if kind in ("listing", "auction"):
        data |= {"increment": "10000.00", "deposit": "50000.00"}
    if kind == "auction":
        data |= {"reserve_price": "600000.00", "ends_at": (utcnow() + timedelta(days=2)).isoformat()}
    if kind == "open_licence":
        data["terms"] |= {"term_months": 36, "royalty_rate": "2.5"}
    return sales_service.create(market.identity("seller"), data | extra)


def act(market: Market, actor: str, sale, action: str, data: dict | None = None):
    return sales_service.execute_action(market.identity(actor), sale.id, action, sample(action) if data is None else data)


def sample(action: str) -> dict:
    """Valid input of ``action``."""
    return {"raise_objection": {"reason": "该专利权属存在争议"}, "withdraw": {"reason": "转让方撤回"},
            "place_bid": {"amount": "900000.00"}}.get(action, {})


def register(market: Market, actor: str, sale, card: str = "4242424242424242"):
    """``actor`` registers for the auction and pays its deposit with the test provider's card form."""
    act(market, actor, sale, "register_bidder")
    participant = db.session.scalar(select(SaleParticipant).where(
        SaleParticipant.sale_id == sale.id, SaleParticipant.org_id == market.identity(actor).org_id))
    return payments.confirm_test_payment(market.identity(actor), payments.payment_of(participant).id,
                                         card_number=card)


def end_now(sale, column: str = "ends_at") -> None:
    """Move the end of bidding (or of the notice period) into the past."""
    setattr(sale, column, utcnow() - timedelta(seconds=1))
    db.session.commit()
