"""Call and proposal services: the happy path to an award and its development deal, bad input, deadlines,
sealed proposals, the NDA gate, forbidden access and the push to matching patent owners."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.calls.models import CallStatus, ProposalStatus
from app.calls.service import calls_service, proposals_service
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.deals.models import DealStatus
from app.deals.service import deals_service
from app.notifications.models import Notification
from tests.calls.conftest import (
    call_input,
    new_call,
    pass_deadline,
    proposal_input,
    propose,
    published_call,
)
from tests.deals.conftest import pdf_upload
from tests.factories import make_listing


def act(market, actor, subject_service, obj, action, data=None):
    return subject_service.execute_action(market.identity(actor), obj.id, action, data or {})


def notifications_of(user, prefix: str) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind.startswith(prefix))).all()


def test_publish_propose_evaluate_award_opens_an_agreed_development_deal(market):
    call = new_call(market, demand_id=market.demand.id)
    assert call.status == CallStatus.pending
    assert notifications_of(market.admin, "calls.create"), "the moderators hear of a new call"
    act(market, "admin", calls_service, call, "approve")
    assert call.status == CallStatus.published and call.published_at is not None

    university = propose(market, call, attachment=pdf_upload("技术方案.pdf"))
    institute = propose(market, call, "institute", price="800000.00", milestones=[
        {"title": "方案验证", "deliverable": "验证报告", "acceptance": "温度≤750℃", "amount": "800000.00",
         "due": "2027-06-30"}])
    assert [d.filename for d in university.documents] == ["技术方案.pdf"]
    act(market, "seller", proposals_service, university, "revise", proposal_input(approach="熔盐辅助烧结，修订版方案。"))
    assert university.approach == "熔盐辅助烧结，修订版方案。"

    pass_deadline(call)
    rows, total = proposals_service.list(market.identity("buyer"), call_id=call.id)
    assert total == 2 and {p.id for p in rows} == {university.id, institute.id}
    act(market, "buyer", proposals_service, university, "score", {"scores": {"技术方案": 90, "团队": 80, "价格": 70}})
    assert university.weighted_score == Decimal("82.0")
    act(market, "buyer", proposals_service, university, "shortlist")
    question = proposals_service.post_message(market.identity("buyer"), university.id, {"body": "中试线在哪里？"})
    proposals_service.post_message(market.identity("seller"), university.id,
                                   {"body": "在苏州中试基地。", "reply_to_id": question.id})
    assert [m.reply_to_id for m in proposals_service.messages(market.identity("seller"), university.id)] == \
        [None, question.id]
    act(market, "buyer", proposals_service, institute, "decline", {"code": "budget", "note": "超出预算"})
    seen = proposals_service.get(market.identity("institute"), institute.id)
    assert seen.status == ProposalStatus.declined and seen.decline_code == "budget"
    assert notifications_of(market.institute, "call_proposals.decline")

    act(market, "buyer", calls_service, call, "award", {"proposal_id": university.id})
    db.session.refresh(university)
    assert call.status == CallStatus.awarded and university.status == ProposalStatus.awarded
    deal = deals_service.get(market.identity("seller"), call.deal_id)
    assert university.deal_id == deal.id
    assert deal.status == DealStatus.agreed and deal.patents == [] and deal.demand_id == market.demand.id
    assert (deal.buyer_org_id, deal.seller_org_id) == (market.buyer_org.id, market.seller_org.id)
    # The price is paid milestone by milestone through the payment schedule: nothing up front.
    assert deal.terms["mode"] == "development" and deal.terms["payment_plan"] == "schedule"
    assert deal.terms["upfront_fee"] == "0.00"
    assert [(m["title"], m["amount"], m["due"]) for m in deal.terms["milestones"]] == [
        ("小试验证", "400000.00", "2027-03-31"), ("公斤级验证", "500000.00", "2027-09-30")]
    assert all(m["deliverable"] and m["acceptance_criterion"] for m in deal.terms["milestones"])
    assert deals_service.replay(deal) == "agreed"
    assert "generate_contract" in {a.name for a in deals_service.next_actions(market.identity("buyer"), deal)}


def test_the_scheduled_job_opens_the_evaluation_after_the_deadline_and_tells_the_enterprise(app, market):
    due, running = published_call(market), published_call(market)
    proposal = propose(market, due)
    pass_deadline(due)
    assert calls_service.open_evaluations() == [due.id]
    db.session.refresh(due)
    db.session.refresh(running)
    assert due.status == CallStatus.evaluating and running.status == CallStatus.published
    assert notifications_of(market.buyer, "calls.open_evaluation")
    assert calls_service.open_evaluations() == []  # once
    runner = app.test_cli_runner()
    assert "0 call(s)" in runner.invoke(args=["calls", "open-evaluations"]).output
    act(market, "buyer", proposals_service, proposal, "shortlist")
    act(market, "buyer", calls_service, due, "award", {"proposal_id": proposal.id})
    assert due.status == CallStatus.awarded and due.deal_id is not None


def test_closing_without_award_keeps_the_reason_and_releases_every_proposer(market):
    call = published_call(market)
    proposal = propose(market, call)
    act(market, "buyer", calls_service, call, "close", {"reason": "方案均不满足要求"})
    db.session.refresh(proposal)
    assert call.status == CallStatus.closed and call.no_award_reason == "方案均不满足要求"
    assert proposal.status == ProposalStatus.not_selected


@pytest.mark.parametrize("overrides, field", [
    ({"criteria": [{"name": "技术", "weight": 60}, {"name": "价格", "weight": 30}]}, "criteria"),
    ({"criteria": [{"name": "技术", "weight": 50}, {"name": "技术", "weight": 50}]}, "criteria"),
    ({"budget_min": "2000000.00"}, "budget_max"),
    ({"deadline": (utcnow() - timedelta(hours=1)).isoformat()}, "deadline"),
    ({"deadline": "next tuesday"}, "deadline"),
    ({"eligible_kinds": ["enterprise"]}, "eligible_kinds"),
    ({"confidential": True, "details": None}, "details"),
    ({"title": ""}, "title"),
    ({"budget_min": "-5"}, "budget_min"),
])
def test_bad_call_input_names_the_field_and_writes_nothing(market, overrides, field):
    with pytest.raises(ValidationFailed) as raised:
        new_call(market, **overrides)
    assert field in raised.value.errors
    assert calls_service.search(Identity.system())[1] == 0


def test_a_call_from_someone_elses_demand_is_refused(market):
    with pytest.raises(ValidationFailed) as raised:
        calls_service.create(market.identity("outsider"), call_input(demand_id=market.demand.id))
    assert "demand_id" in raised.value.errors


@pytest.mark.parametrize("overrides, field", [
    ({"trl_now": 6, "trl_target": 4}, "trl_target"),
    ({"price": "1000000.00"}, "milestones"),
    ({"milestones": []}, "milestones"),
    ({"trl_now": 12}, "trl_now"),
    ({"attachment": "not a file"}, "attachment"),
])
def test_bad_proposal_input_names_the_field(market, overrides, field):
    call = published_call(market)
    with pytest.raises(ValidationFailed) as raised:
        propose(market, call, **overrides)
    assert field in raised.value.errors


def test_scores_must_cover_exactly_the_criteria(market):
    call = published_call(market)
    proposal = propose(market, call)
    pass_deadline(call)
    with pytest.raises(ValidationFailed) as raised:
        act(market, "buyer", proposals_service, proposal, "score", {"scores": {"技术方案": 90}})
    assert "scores" in raised.value.errors
    db.session.refresh(proposal)
    assert proposal.scores is None


def test_only_enterprises_call_and_only_eligible_universities_and_institutes_propose(market):
    with pytest.raises(PermissionDenied):
        calls_service.create(market.identity("seller"), call_input())
    call = published_call(market, eligible_kinds=["university"], eligible_regions=[])
    with pytest.raises(PermissionDenied):
        propose(market, call, "outsider")  # an enterprise
    with pytest.raises(PermissionDenied):
        propose(market, call, "institute")  # not an eligible kind
    regional = published_call(market, eligible_regions=["江苏"])
    with pytest.raises(PermissionDenied):
        propose(market, regional, "institute")  # Shanghai


def test_proposals_only_to_published_calls_before_the_deadline_and_once(market):
    pending = new_call(market)
    with pytest.raises(ValidationFailed) as raised:
        propose(market, pending)
    assert "call_id" in raised.value.errors
    call = published_call(market)
    proposal = propose(market, call)
    with pytest.raises(Conflict):
        propose(market, call)
    pass_deadline(call)
    with pytest.raises(Conflict):
        propose(market, call, "institute")
    with pytest.raises(Conflict):  # editable until the deadline only
        act(market, "seller", proposals_service, proposal, "revise", proposal_input())
    with pytest.raises(Conflict):
        act(market, "seller", proposals_service, proposal, "withdraw", {"reason": "改变主意"})


def test_an_award_waits_for_the_deadline_and_names_an_open_proposal_of_the_call(market):
    call = published_call(market)
    proposal = propose(market, call)
    with pytest.raises(Conflict):
        act(market, "buyer", calls_service, call, "award", {"proposal_id": proposal.id})
    other = published_call(market)
    foreign = propose(market, other, "institute")
    pass_deadline(call)
    with pytest.raises(ValidationFailed) as raised:
        act(market, "buyer", calls_service, call, "award", {"proposal_id": foreign.id})
    assert "proposal_id" in raised.value.errors
    assert call.status == CallStatus.published and call.deal_id is None


def test_proposals_are_sealed_until_the_deadline(market):
    call = published_call(market)
    university = propose(market, call)
    institute = propose(market, call, "institute")
    buyer, seller = market.identity("buyer"), market.identity("seller")
    for reader in (buyer, market.identity("buyer_member"), market.identity("institute"),
                   market.identity("outsider"), Identity.anonymous()):
        with pytest.raises(NotFound):
            proposals_service.get(reader, university.id)
        with pytest.raises(NotFound):
            proposals_service.messages(reader, university.id)
    assert proposals_service.list(buyer, call_id=call.id) == ([], 0)
    assert [p.id for p in proposals_service.list(seller)[0]] == [university.id]
    assert calls_service.proposal_count(buyer, call) is None
    assert proposals_service.get(market.identity("admin"), university.id) == university
    with pytest.raises(NotFound):  # the enterprise cannot act on what it cannot see
        act(market, "buyer", proposals_service, university, "shortlist")
    with pytest.raises(Conflict):  # nor can the proposer start a thread nobody may read yet
        proposals_service.post_message(seller, university.id, {"body": "您好"})
    act(market, "seller", proposals_service, university, "withdraw", {"reason": "团队调整"})
    for user in (market.buyer, market.buyer_member):
        assert not notifications_of(user, "call_proposals"), "the enterprise heard of a sealed proposal"

    pass_deadline(call)
    assert proposals_service.get(buyer, institute.id) == institute
    assert calls_service.proposal_count(buyer, call) == 2
    with pytest.raises(NotFound):  # other proposers never read it
        proposals_service.get(market.identity("institute"), university.id)


def test_the_nda_gates_a_confidential_problem(app, market):
    with app.test_request_context():  # the dump words the status in the reader's language
        call = published_call(market, confidential=True, details="工艺窗口：780℃，氧分压0.2MPa。")
        reader = market.identity("seller")
        dumped = calls_service.dump(reader, call)
        assert dumped["details"] is None and not dumped["details_visible"] and "保密协议" in dumped["nda_text"]
        assert calls_service.dump(Identity.anonymous(), call)["details"] is None
        with pytest.raises(PermissionDenied):
            propose(market, call)
        with pytest.raises(ValidationFailed) as raised:
            calls_service.accept_nda(reader, call.id, {"agree": False})
        assert "agree" in raised.value.errors
        calls_service.accept_nda(reader, call.id, {"agree": True})
        assert calls_service.dump(reader, call)["details"] == "工艺窗口：780℃，氧分压0.2MPa。"
        assert calls_service.dump(market.identity("institute"), call)["details"] is None
        assert propose(market, call).status == ProposalStatus.submitted
        with pytest.raises(NotFound):
            calls_service.accept_nda(reader, new_call(market, confidential=True).id, {"agree": True})  # unpublished


def test_unpublished_calls_are_for_the_owner_and_the_platform(market):
    call = new_call(market)
    for reader in ("seller", "outsider", "anonymous"):
        with pytest.raises(NotFound):
            calls_service.get(market.identity(reader), call.id)
    assert calls_service.get(market.identity("buyer_member"), call.id) == call
    assert calls_service.search(market.identity("seller"))[1] == 0
    act(market, "admin", calls_service, call, "request_revision", {"reason": "请补充评价标准说明"})
    assert call.moderation_note == "请补充评价标准说明"
    act(market, "buyer", calls_service, call, "resubmit", call_input(title="修订后的揭榜题目"))
    assert call.status == CallStatus.pending and call.title == "修订后的揭榜题目"
    act(market, "admin", calls_service, call, "approve")
    rows, total = calls_service.search(Identity.anonymous(), q="修订后", open_only=True)
    assert total == 1 and rows[0].id == call.id
    assert calls_service.search(Identity.anonymous(), industry="机械")[1] == 0


def test_publication_pushes_the_call_to_owners_of_matching_patents(app, market, app_engine, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", True)
    make_listing("patents", market.seller_org, title="一种高镍三元正极材料的低温烧结方法",
                 keywords=["正极材料", "烧结"])
    call = new_call(market)
    act(market, "admin", calls_service, call, "approve")
    events = calls_service.events_of(call)
    assert events[-1].payload["notified_orgs"] == 1
    pushed = notifications_of(market.seller, "calls.match")
    assert pushed and pushed[0].link == f"/calls/{call.id}" and "北京时间" in pushed[0].body
    assert not notifications_of(market.buyer, "calls.match")
