"""Deal test fixtures: a market (seller TTO, buyer enterprise, pilot base and lab, outsider, platform admin), deals
driven to any status through the real actions, and a check after every test that each deal's history replays to
its stored status.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from pypdf import PdfWriter
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.accounts.models import Role
from app.core.extensions import db
from app.core.identity import Identity
from app.deals.models import Deal, DealStatus
from app.deals.service import deals_service
from app.orgs.models import OrgKind
from app.payments import service as payments
from tests.factories import OrganisationFactory, UserFactory, identity_of, make_listing

OFFER = {
    "mode": "exclusive_licence", "territory": "中国大陆", "field_of_use": "动力电池正极材料", "term_months": 60,
    "upfront_fee": "800000.00", "royalty_rate": "3.5",
    "milestones": [{"title": "中试通过后", "amount": "200000.00", "due": "2027-06-30"}],
    "conditions": "许可方提供工艺包与三个月技术指导。",
}
COUNTER = {**OFFER, "upfront_fee": "1000000.00", "royalty_rate": "4"}
# The same licence paid item by item through the payment schedule (app.schedules), royalties reported yearly.
SCHEDULE_OFFER = {**OFFER, "payment_plan": "schedule", "royalty_period": "year"}


def pdf_upload(name: str = "检测报告.pdf") -> FileStorage:
    """A fresh, valid one-page PDF upload."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    buffer.seek(0)
    return FileStorage(stream=buffer, filename=name, content_type="application/pdf")


@dataclass
class Market:
    seller_org: object
    buyer_org: object
    outsider_org: object
    seller: object
    buyer: object
    buyer_member: object
    outsider: object
    admin: object
    pilot_user: object
    lab_user: object
    patent: object
    demand: object
    pilot_offer: object
    lab_offer: object

    def identity(self, actor: str) -> Identity:
        """``buyer``, ``seller``, ``admin``, ``system``, ``outsider`` or ``anonymous``."""
        if actor == "system":
            return Identity.system()
        if actor == "anonymous":
            return Identity.anonymous()
        return identity_of(getattr(self, actor))

    def sample(self, action: str) -> dict:
        """Valid input for ``action`` (fresh each time: an upload is read once)."""
        reason = {"reason": "双方协商一致"}
        return {
            "decline": reason, "decline_nda": reason, "reopen_negotiation": reason, "return_contract": reason,
            "cancel": reason, "dispute": reason, "resolve_refund": reason, "resolve_release": reason,
            "resolve_resume": reason, "accept_nda": {"agree": True}, "sign_contract": {"agree": True},
            "make_offer": OFFER,
            "book_pilot": {"service_offer_id": self.pilot_offer.id, "plan": "在中试线上放大到50公斤批次，验证烧结工艺。"},
            "order_inspection": {"service_offer_id": self.lab_offer.id, "plan": "检测能量密度与循环寿命。"},
            "pilot_passed": {"results": "三批次能量密度均达到300Wh/kg。"},
            "pilot_failed": {"results": "放大后一致性不达标。"},
            "inspection_passed": {"results": "全部指标合格。", "report": pdf_upload()},
            "inspection_failed": {"results": "循环寿命不合格。", "report": pdf_upload()},
            "deliver": {"note": "工艺包与技术资料已交付。"},
            "conclude_sale": {"sale_id": 1, "terms": {**OFFER, "mode": "assignment"}},
        }.get(action, {})


@pytest.fixture(autouse=True)
def quiet_index(app, monkeypatch):
    """Deal tests read the database; the embedded index need not follow every listing write."""
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


@pytest.fixture(autouse=True)
def every_deal_replays(db_session):
    """After each test: every deal's events replay, through the machine, to the deal's stored status."""
    yield
    db.session.rollback()  # a test may end inside a failed unit of work
    for deal in db.session.scalars(select(Deal)):
        assert deals_service.replay(deal) == deal.status.value, f"deal {deal.id} does not replay"


def build_market(credit_codes: tuple[str, str] | None = ("91110000600037341L", "91310000MA1FL1MMXL")) -> Market:
    """The parties of a deal; ``credit_codes=None`` lets the factory number them (a database shared by several
    tests, such as the browser tests' live site, already holds the fixed ones)."""
    seller_code, buyer_code = ({"credit_code": code} for code in credit_codes) if credit_codes else ({}, {})
    seller_org = OrganisationFactory(kind=OrgKind.university, name="示范大学技术转移中心", **seller_code)
    buyer_org = OrganisationFactory(kind=OrgKind.enterprise, name="示范电池制造有限公司", **buyer_code)
    outsider_org = OrganisationFactory(kind=OrgKind.enterprise, name="旁观企业有限公司")
    pilot_org = OrganisationFactory(kind=OrgKind.service_provider, name="示范中试基地")
    lab_org = OrganisationFactory(kind=OrgKind.service_provider, name="示范检验检测中心")
    platform = OrganisationFactory(kind=OrgKind.platform, name="技桥平台")
    return Market(
        seller_org=seller_org, buyer_org=buyer_org, outsider_org=outsider_org,
        seller=UserFactory(organisation=seller_org, role=Role.org_admin),
        buyer=UserFactory(organisation=buyer_org, role=Role.org_admin),
        buyer_member=UserFactory(organisation=buyer_org, role=Role.member),
        outsider=UserFactory(organisation=outsider_org, role=Role.org_admin),
        admin=UserFactory(organisation=platform, role=Role.platform_admin),
        pilot_user=UserFactory(organisation=pilot_org, role=Role.org_admin),
        lab_user=UserFactory(organisation=lab_org, role=Role.org_admin),
        patent=make_listing("patents", seller_org),
        demand=make_listing("demands", buyer_org),
        pilot_offer=make_listing("services", pilot_org),
        lab_offer=make_listing("services", lab_org, kind="inspection", title="电池材料检验检测",
                               description="CMA/CNAS资质的电池材料检测实验室，提供能量密度与循环寿命测试。"),
    )


@pytest.fixture
def market(db_session) -> Market:
    return build_market()


def open_deal(market: Market, patent=None, **extra) -> Deal:
    """A new inquiry of the buyer, on ``patent`` or a fresh patent of the seller (one open deal per patent)."""
    patent = patent or make_listing("patents", market.seller_org)
    return deals_service.create(market.identity("buyer"), {"patent_id": patent.id,
                                                         "message": "我们对该专利的独占许可感兴趣，希望进一步洽谈。", **extra})


def act(market: Market, actor: str, deal, action: str, data: dict | None = None):
    """Run ``action`` as ``actor`` with ``data`` (or the market's sample input)."""
    return deals_service.execute_action(market.identity(actor), deal.id, action,
                                        market.sample(action) if data is None else data)


def pay(market: Market, deal, card: str = "4242424242424242"):
    """The buyer starts a payment and pays it with the embedded test provider's card form."""
    act(market, "buyer", deal, "start_payment")
    payment = payments.payment_of(deal)
    return payments.confirm_test_payment(market.identity("buyer"), payment.id, card_number=card)


# The steps from a new inquiry to each status: (actor, action) pairs run with the market's sample input.
NEGOTIATION = [("seller", "accept")]
AGREED = NEGOTIATION + [("buyer", "make_offer"), ("seller", "accept_offer")]
PILOT_TESTING = AGREED + [("buyer", "book_pilot"), ("seller", "agree_pilot_plan")]
CONTRACT_SIGNING = AGREED + [("buyer", "generate_contract")]
AWAITING_PAYMENT = CONTRACT_SIGNING + [("buyer", "sign_contract"), ("seller", "sign_contract"),
                                       ("admin", "approve_contract")]
PATHS = {
    DealStatus.inquiry: [],
    DealStatus.negotiation: NEGOTIATION,
    DealStatus.nda: NEGOTIATION + [("buyer", "propose_nda")],
    DealStatus.agreed: AGREED,
    DealStatus.pilot_planning: AGREED + [("buyer", "book_pilot")],
    DealStatus.pilot_testing: PILOT_TESTING,
    DealStatus.test_failed: PILOT_TESTING + [("buyer", "pilot_failed")],
    DealStatus.inspection: AGREED + [("buyer", "order_inspection")],
    DealStatus.contract_signing: CONTRACT_SIGNING,
    DealStatus.contract_review: CONTRACT_SIGNING + [("buyer", "sign_contract"), ("seller", "sign_contract")],
    DealStatus.awaiting_payment: AWAITING_PAYMENT,
    DealStatus.performing: NEGOTIATION + [("buyer", "make_schedule_offer"), ("seller", "accept_offer"),
                                          ("buyer", "generate_contract"), ("buyer", "sign_contract"),
                                          ("seller", "sign_contract"), ("admin", "approve_contract")],
    DealStatus.paid: AWAITING_PAYMENT + [("buyer", "pay")],
    DealStatus.delivered: AWAITING_PAYMENT + [("buyer", "pay"), ("seller", "deliver")],
    DealStatus.completed: AWAITING_PAYMENT + [("buyer", "pay"), ("seller", "deliver"), ("buyer", "confirm_delivery")],
    DealStatus.disputed: AWAITING_PAYMENT + [("buyer", "pay"), ("buyer", "dispute")],
    DealStatus.declined: [("seller", "decline")],
    DealStatus.cancelled: [("buyer", "cancel")],
    DealStatus.expired: [("system", "expire")],
}
# Same statuses in other situations, where actions refined by the deal's state change who may act.
VARIANTS = {
    "negotiation_with_offer": (DealStatus.negotiation, NEGOTIATION + [("buyer", "make_offer")]),
    "negotiation_after_nda": (DealStatus.negotiation, NEGOTIATION + [("buyer", "propose_nda"),
                                                                     ("seller", "accept_nda")]),
    "contract_signed_by_buyer": (DealStatus.contract_signing, CONTRACT_SIGNING + [("buyer", "sign_contract")]),
    "disputed_before_payment": (DealStatus.disputed, NEGOTIATION + [("seller", "dispute")]),
    "inspection_failed": (DealStatus.test_failed, AGREED + [("buyer", "order_inspection"),
                                                            ("buyer", "inspection_failed")]),
}
SCENARIOS = {status.value: (status, path) for status, path in PATHS.items()} | VARIANTS


def drive(market: Market, scenario: DealStatus | str, deal=None) -> Deal:
    """A deal (new unless given) taken to a status (or a named situation of :data:`VARIANTS`) by real actions."""
    status, path = SCENARIOS[scenario.value if isinstance(scenario, DealStatus) else scenario]
    deal = deal or open_deal(market)
    for actor, action in path:
        if action == "pay":
            pay(market, deal)
        elif action == "make_schedule_offer":
            act(market, actor, deal, "make_offer", SCHEDULE_OFFER)
        elif action == "expire":
            make_stale(deal)
            act(market, actor, deal, action)
        else:
            act(market, actor, deal, action)
    db.session.refresh(deal)
    assert deal.status == status
    return deal


def make_stale(deal) -> None:
    """Move the deal's stage deadline into the past (as if nobody acted for the configured days)."""
    from datetime import timedelta

    from app.core.models import utcnow

    deal.stage_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
