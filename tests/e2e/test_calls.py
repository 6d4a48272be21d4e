"""Browser: a call for solutions in real Chromium — an enterprise writes a call, a platform admin publishes it,
a university and a research institute propose (sealed), the deadline passes, the enterprise scores, shortlists
and awards on its evaluation board, and the award opens an agreed commissioned-development deal whose
contract is approved and whose first milestone is funded, delivered, accepted and released. Screenshots at
phone (375 px) and desktop (1280 px) width go to tests/e2e/screenshots/calls-*."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.accounts.models import Role, User
from app.calls.models import Call
from app.calls.service import calls_service
from app.core.extensions import db
from app.core.identity import Identity
from app.core.models import utcnow
from app.deals.models import Deal
from app.deals.service import deals_service
from app.orgs.models import OrgKind
from app.schedules.models import ItemKind
from app.schedules.service import schedule_service
from tests.e2e.conftest import log_in, pay_on_the_test_page, screenshots_at_both_widths, submit
from tests.factories import PASSWORD, OrganisationFactory, UserFactory


@pytest.fixture
def people(live):
    with live.app.app_context():
        enterprise = OrganisationFactory(kind=OrgKind.enterprise, name="江南示范新能源材料有限公司", region="江苏")
        university = OrganisationFactory(kind=OrgKind.university, name="东海示范大学", region="上海")
        institute = OrganisationFactory(kind=OrgKind.institute, name="华东示范材料研究所", region="浙江")
        platform = OrganisationFactory(kind=OrgKind.platform, name="技桥揭榜运营部")
        users = {
            "enterprise": UserFactory(organisation=enterprise, role=Role.org_admin, email="ent@e2e-calls.cn"),
            "university": UserFactory(organisation=university, role=Role.org_admin, email="uni@e2e-calls.cn"),
            "institute": UserFactory(organisation=institute, role=Role.org_admin, email="inst@e2e-calls.cn"),
            "admin": UserFactory(organisation=platform, role=Role.platform_admin, email="admin@e2e-calls.cn"),
        }
        db.session.commit()
        return {role: user.email for role, user in users.items()}


def as_user(page, live, email):
    page.context.clear_cookies()
    log_in(page, live.url, email, PASSWORD)


def propose(page, live, call_id: int, *, price: str, milestones: list[tuple[str, str]]) -> None:
    page.goto(f"{live.url}/calls/{call_id}")
    page.click("#propose")
    page.fill("textarea[name=approach]", "熔盐辅助低温烧结：实验室已将烧结温度降低120℃，三批次一致性良好。")
    page.fill("textarea[name=team]", "教授1名、副教授2名、博士后3名；承担过两项国家重点研发计划课题。")
    page.fill("input[name=trl_now]", "4")
    page.fill("input[name=trl_target]", "6")
    page.fill("input[name=price]", price)
    for index, (title, amount) in enumerate(milestones):
        page.fill(f"input[name=milestones-{index}-title]", title)
        page.fill(f"input[name=milestones-{index}-deliverable]", f"{title}报告")
        page.fill(f"input[name=milestones-{index}-acceptance]", "烧结温度≤750℃，三批次一致")
        page.fill(f"input[name=milestones-{index}-amount]", amount)
        page.fill(f"input[name=milestones-{index}-due]", f"2027-0{index + 3}-30")
    with page.expect_navigation():
        page.click("#proposal-form button[type=submit]")
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "submitted")


def test_publish_propose_and_award_open_a_development_deal(live, page, people):
    as_user(page, live, people["enterprise"])
    page.goto(f"{live.url}/calls/")
    page.click("#new-call")
    page.fill("input[name=title]", "高镍正极材料低温烧结工艺揭榜")
    page.fill("textarea[name=summary]", "寻求将高镍三元正极材料烧结温度降低100℃以上、且不降低循环寿命的工艺方案。")
    page.fill("textarea[name=outcomes]", "完成公斤级验证，提交工艺包与检测报告。")
    page.fill("input[name=indicators-0-name]", "烧结温度")
    page.fill("input[name=indicators-0-target]", "≤ 750 ℃")
    page.fill("input[name=budget_min]", "500000")
    page.fill("input[name=budget_max]", "1500000")
    deadline = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    page.fill("input[name=deadline]", deadline)
    page.fill("input[name=industry]", "新能源")
    screenshots_at_both_widths(page, "calls-new")
    with page.expect_navigation():
        page.click("#call-form button[type=submit]")
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "pending")
    call_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    as_user(page, live, people["admin"])
    page.goto(f"{live.url}/calls/{call_id}")
    with page.expect_navigation():
        page.click("#action-approve button[type=submit]")
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "published")

    as_user(page, live, people["university"])
    page.goto(f"{live.url}/calls/")
    expect(page.locator(f"[data-call='{call_id}'] .countdown")).to_contain_text("剩余")
    screenshots_at_both_widths(page, "calls-list")
    propose(page, live, call_id, price="900000", milestones=[("小试验证", "400000"), ("公斤级验证", "500000")])
    screenshots_at_both_widths(page, "calls-proposal")
    as_user(page, live, people["institute"])
    propose(page, live, call_id, price="1200000", milestones=[("方案验证", "1200000")])

    as_user(page, live, people["enterprise"])
    page.goto(f"{live.url}/calls/{call_id}")
    expect(page.locator("#next-actions")).to_contain_text("截止前方案保持密封")
    screenshots_at_both_widths(page, "calls-call")
    with live.app.app_context():  # the clock runs on: the deadline passes
        db.session.execute(update(Call).where(Call.id == call_id).values(deadline=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        assert calls_service.open_evaluations() == [call_id]  # the scheduled job

    page.goto(f"{live.url}/calls/{call_id}/board")
    cards = page.locator(".board-card")
    expect(cards).to_have_count(2)
    first = cards.filter(has_text="东海示范大学")
    for index, score in enumerate(("90", "80", "85")):
        first.locator(f"input[name=score-{index}]").fill(score)
    with page.expect_navigation():
        first.locator("form.scores button[type=submit]").click()
    first = page.locator(".board-card").filter(has_text="东海示范大学")
    expect(first.locator(".weighted")).to_contain_text("86.5")
    with page.expect_navigation():
        first.get_by_role("button", name="入围").click()
    first = page.locator(".board-card").filter(has_text="东海示范大学")
    expect(first.locator(".status")).to_have_attribute("data-status", "shortlisted")
    screenshots_at_both_widths(page, "calls-board")
    with page.expect_navigation():
        first.locator("button.award").click()
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "awarded")
    expect(page.locator(".board-card").filter(has_text="华东示范材料研究所").locator(".status")) \
        .to_have_attribute("data-status", "not_selected")
    with page.expect_navigation():
        page.click("#deal-link")
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "agreed")
    expect(page.locator("body")).to_contain_text("小试验证")
    screenshots_at_both_widths(page, "calls-deal")

    # The contract is signed and approved (the deal walk tests those pages); milestone 1 goes through the
    # browser: funded by the enterprise, delivered by the university, accepted — and so released.
    milestone_id = approve_the_contract(live, people, int(page.url.rstrip("/").rsplit("/", 1)[-1]))
    item_url = f"{live.url}/schedule-items/{milestone_id}"
    page.goto(item_url)
    submit(page, "action-start_payment")
    pay_on_the_test_page(page)
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "funded")
    as_user(page, live, people["university"])
    page.goto(item_url)
    page.fill("#action-deliver textarea[name=note]", "小试验证报告已提交：烧结温度740℃，三批次一致。")
    submit(page, "action-deliver")
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "delivered")
    as_user(page, live, people["enterprise"])
    page.goto(item_url)
    submit(page, "action-accept_delivery")
    expect(page.locator(".wf-head .status")).to_have_attribute("data-status", "released")
    screenshots_at_both_widths(page, "calls-milestone-released")


def approve_the_contract(live, people, deal_id: int) -> int:
    """Generate, sign and approve the development contract through the services; the first milestone's id."""
    with live.app.app_context():
        who = {role: Identity.of(db.session.scalar(select(User).filter_by(email=email)))
               for role, email in people.items()}
        for role, action, data in (("enterprise", "generate_contract", {}),
                                   ("enterprise", "sign_contract", {"agree": True}),
                                   ("university", "sign_contract", {"agree": True}),
                                   ("admin", "approve_contract", {})):
            deals_service.execute_action(who[role], deal_id, action, data)
        deal = db.session.get(Deal, deal_id)
        milestones = [i for i in schedule_service.items_of_deal(deal) if i.kind == ItemKind.milestone]
        assert len(milestones) == 2
        return milestones[0].id
