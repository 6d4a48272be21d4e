"""Call test fixtures: the deal tests' market plus a second proposer (a research institute), valid call and
proposal input, calls and proposals driven to any status through the real actions, a clock hand that moves a
call's deadline into the past, and a replay check of every call's and proposal's history after each test."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import Role
from app.calls.models import Call, CallStatus, Proposal, ProposalStatus
from app.calls.service import calls_service, proposals_service
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.orgs.models import OrgKind
from tests.deals.conftest import Market, build_market, pdf_upload
from tests.factories import OrganisationFactory, UserFactory, identity_of


def call_input(**overrides) -> dict:
    """Valid input of a call (deadline in two weeks)."""
    return {
        "title": "高镍正极材料低温烧结工艺揭榜", "summary": "寻求将高镍三元正极材料烧结温度降低100℃以上的工艺方案。",
        "details": "现有窑炉参数：辊道窑，最高温度850℃，气氛为纯氧。附工艺曲线。", "confidential": False,
        "outcomes": "完成公斤级验证并提交工艺包。", "indicators": [{"name": "烧结温度", "target": "≤750℃"}],
        "industry": "新能源", "region": "江苏", "keywords": ["正极材料", "烧结"],
        "budget_min": "500000.00", "budget_max": "1500000.00",
        "deadline": (utcnow() + timedelta(days=14)).isoformat(),
        "eligible_kinds": ["university", "institute"], "eligible_regions": [],
        "criteria": [{"name": "技术方案", "weight": 50}, {"name": "团队", "weight": 20}, {"name": "价格", "weight": 30}],
        **overrides,
    }


def proposal_input(call_id: int | None = None, **overrides) -> dict:
    """Valid input of a proposal (two milestones adding up to the price)."""
    data = {
        "approach": "采用熔盐辅助烧结，已在实验室验证可降低烧结温度120℃。", "team": "张教授团队，8人，含博士3名。",
        "trl_now": 4, "trl_target": 6, "price": "900000.00",
        "milestones": [
            {"title": "小试验证", "deliverable": "小试报告", "acceptance": "烧结温度≤760℃", "amount": "400000.00",
             "due": "2027-03-31"},
            {"title": "公斤级验证", "deliverable": "工艺包", "acceptance": "三批次一致", "amount": "500000.00",
             "due": "2027-09-30"},
        ],
        **overrides,
    }
    if call_id is not None:
        data["call_id"] = call_id
    return data


@dataclass
class CallMarket:
    """The deal market (``buyer``: the enterprise; ``seller``: a university) plus ``institute`` (a second
    proposer), with identities by actor name."""

    base: Market
    institute_org: object
    institute: object

    def __getattr__(self, name):
        return getattr(self.base, name)

    def identity(self, actor: str) -> Identity:
        if actor == "institute":
            return identity_of(self.institute)
        return self.base.identity(actor)


@pytest.fixture(autouse=True)
def quiet_index(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)


@pytest.fixture(autouse=True)
def everything_replays(db_session):
    """After each test: every call's and proposal's events replay, through its machine, to its stored status."""
    yield
    db.session.rollback()
    for service, model in ((calls_service, Call), (proposals_service, Proposal)):
        for obj in db.session.scalars(select(model)):
            assert service.replay(obj) == obj.status.value, f"{model.__name__} {obj.id} does not replay"


def build_call_market() -> CallMarket:
    institute_org = OrganisationFactory(kind=OrgKind.institute, name="示范材料研究所", region="上海")
    return CallMarket(base=build_market(), institute_org=institute_org,
                      institute=UserFactory(organisation=institute_org, role=Role.org_admin))


@pytest.fixture
def market(db_session) -> CallMarket:
    return build_call_market()


def pass_deadline(call) -> None:
    """Move the call's deadline into the past (as if the clock had run on)."""
    db.session.execute(update(Call).where(Call.id == call.id).values(deadline=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    db.session.expire_all()


def new_call(market, **overrides) -> Call:
    return calls_service.create(market.identity("buyer"), call_input(**overrides))


def published_call(market, **overrides) -> Call:
    call = new_call(market, **overrides)
    calls_service.execute_action(market.identity("admin"), call.id, "approve")
    return call


def propose(market, call, actor: str = "seller", **overrides) -> Proposal:
    return proposals_service.create(market.identity(actor), proposal_input(call.id, **overrides))


SAMPLES = {
    "reason": {"reason": "信息不完整，请补充。"},
    "decline": {"code": "budget", "note": "报价超出预算上限。"},
    "score": {"scores": {"技术方案": 80, "团队": 70, "价格": 90}},
}


def call_sample(market, call, action: str) -> dict:
    """Valid input of a call action."""
    if action == "resubmit":
        return call_input(title="高镍正极材料低温烧结工艺揭榜（修订）")
    if action == "award":
        proposal = db.session.scalar(select(Proposal).where(Proposal.call_id == call.id,
                                                           Proposal.status.in_(list(ProposalStatus)[:2])))
        return {"proposal_id": proposal.id if proposal else 0}
    return SAMPLES["reason"] if action in ("request_revision", "reject", "withdraw", "close") else {}


def proposal_sample(action: str) -> dict:
    if action == "revise":
        return {**proposal_input(), "attachment": pdf_upload("方案.pdf")}
    if action == "withdraw":
        return SAMPLES["reason"]
    return SAMPLES.get(action, {})


CALL_PATHS = {
    CallStatus.pending: [],
    CallStatus.needs_revision: [("admin", "request_revision")],
    CallStatus.rejected: [("admin", "reject")],
    CallStatus.withdrawn: [("buyer", "withdraw")],
    CallStatus.published: [("admin", "approve")],
    CallStatus.closed: [("admin", "approve"), ("buyer", "close")],
}


def drive_call(market, status: CallStatus, *, with_proposal: bool = False, past: bool = False) -> Call:
    """A new call taken to ``status`` by real actions (``awarded``: a proposal wins after the deadline)."""
    call = new_call(market)
    path = CALL_PATHS.get(status, CALL_PATHS[CallStatus.published])
    for actor, action in path:
        calls_service.execute_action(market.identity(actor), call.id, action, call_sample(market, call, action))
    if with_proposal or status == CallStatus.awarded:
        propose(market, call)
    if past or status in (CallStatus.awarded, CallStatus.evaluating):
        pass_deadline(call)
    if status == CallStatus.evaluating:
        calls_service.execute_action(Identity.system(), call.id, "open_evaluation")
    if status == CallStatus.awarded:
        calls_service.execute_action(market.identity("buyer"), call.id, "award",
                                     call_sample(market, call, "award"))
    db.session.refresh(call)
    assert call.status == status
    return call


PROPOSAL_PATHS = {
    ProposalStatus.submitted: [],
    ProposalStatus.shortlisted: [("buyer", "shortlist")],
    ProposalStatus.declined: [("buyer", "decline")],
    ProposalStatus.not_selected: [("system", "not_select")],
    ProposalStatus.awarded: [("system", "award")],
}


def drive_proposal(market, status: ProposalStatus) -> Proposal:
    """A proposal to a new published call, after the call's deadline, taken to ``status`` by real actions
    (``withdrawn``: withdrawn before the deadline)."""
    call = published_call(market)
    proposal = propose(market, call)
    if status == ProposalStatus.withdrawn:
        proposals_service.execute_action(market.identity("seller"), proposal.id, "withdraw", SAMPLES["reason"])
    pass_deadline(call)
    for actor, action in PROPOSAL_PATHS.get(status, []):
        proposals_service.execute_action(market.identity(actor), proposal.id, action, proposal_sample(action))
    db.session.refresh(proposal)
    assert proposal.status == status
    return proposal
