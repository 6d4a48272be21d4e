"""The deal workflow end to end through the service: notifications and e-mail, what the NDA unlocks, failed tests,
returned contracts, money on cancellation and disputes, payment callbacks delivered twice, expiry, replay."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.errors import Conflict, NotFound
from app.core.extensions import db
from app.core.workflow import ReplayError
from app.deals.models import DealEvent, DealStatus
from app.deals.service import deals_service, nda_signed_between
from app.notifications.models import Notification
from app.patents.service import patents_service
from app.payments import service as payments
from app.payments.models import Payout
from tests.deals.conftest import COUNTER, OFFER, act, drive, make_stale, open_deal, pay
from tests.factories import make_listing


def actions_of(deal) -> list[str]:
    return [e.action for e in deals_service.events_of(deal)]


def test_a_whole_deal_notifies_who_must_act_and_mails_them(market, smtp_server):
    patent = make_listing("patents", market.seller_org)
    smtp_server.clear()  # its approval was mailed to the seller: this test reads the deal's own mails
    deal = open_deal(market, patent, demand_id=market.demand.id)
    assert {m["To"] for m in smtp_server} == {market.seller.email}  # the seller must accept or decline
    assert "[技桥 TechBridge]" in smtp_server[0]["Subject"] and f"/deals/{deal.id}" in smtp_server[0].get_content()
    smtp_server.clear()

    act(market, "seller", deal, "accept")
    act(market, "buyer", deal, "propose_nda")
    act(market, "seller", deal, "accept_nda")
    act(market, "buyer", deal, "make_offer", OFFER)
    act(market, "seller", deal, "make_offer", COUNTER)
    act(market, "buyer", deal, "accept_offer")
    act(market, "buyer", deal, "book_pilot")
    assert market.pilot_user.email in {m["To"] for m in smtp_server}  # the provider hears it was booked
    act(market, "seller", deal, "agree_pilot_plan")
    act(market, "buyer", deal, "pilot_passed")
    act(market, "buyer", deal, "order_inspection")
    act(market, "buyer", deal, "inspection_passed")
    act(market, "seller", deal, "generate_contract")
    act(market, "buyer", deal, "sign_contract")
    act(market, "seller", deal, "sign_contract")
    smtp_server.clear()
    act(market, "admin", deal, "approve_contract")
    assert market.buyer.email in {m["To"] for m in smtp_server}  # the buyer must pay
    pay(market, deal)
    act(market, "seller", deal, "deliver")
    act(market, "buyer", deal, "confirm_delivery")

    db.session.refresh(deal)
    assert deal.status == DealStatus.completed and deal.terms["upfront_fee"] == "1000000.00"
    assert actions_of(deal) == [
        "create", "accept", "propose_nda", "accept_nda", "make_offer", "make_offer", "accept_offer", "book_pilot",
        "agree_pilot_plan", "pilot_passed", "order_inspection", "inspection_passed", "generate_contract",
        "sign_contract", "sign_contract", "approve_contract", "start_payment", "payment_confirmed", "deliver",
        "confirm_delivery",
    ]
    payment = payments.payment_of(deal)
    assert payment.status.value == "released" and payment.amount == 100_000_000 and payment.fee == 5_000_000
    assert db.session.scalar(select(Payout).where(Payout.payment_id == payment.id)).amount == 100_000_000
    assert payments.balances(org_id=market.seller_org.id)["seller_payable"] == 100_000_000
    # Who acted is on every event; the seller's users were told the deal completed.
    events = deals_service.events_of(deal)
    assert events[-1].actor_user_id == market.buyer.id and events[-1].actor_role == "buyer"
    assert events[17].actor_role == "system"
    told = db.session.scalars(select(Notification).where(Notification.user_id == market.seller.id)).all()
    assert told and told[-1].link == f"/deals/{deal.id}"


def test_the_nda_unlocks_confidential_details_for_the_buyer_only(market):
    deal = drive(market, DealStatus.negotiation)
    patent_id = deal.patents[0].id
    buyer = market.identity("buyer")
    assert "confidential_details" not in deals_service.patents_of(buyer, deal)[0]
    assert not nda_signed_between(market.buyer_org.id, patent_id)
    act(market, "seller", deal, "propose_nda", {"text": "双方就本专利技术资料保密，期限三年，违约方承担赔偿责任。"})
    assert "confidential_details" not in deals_service.patents_of(buyer, deal)[0]  # proposed, not accepted
    act(market, "buyer", deal, "accept_nda")
    assert deals_service.patents_of(buyer, deal)[0]["confidential_details"].startswith("烧结温度曲线")
    assert nda_signed_between(market.buyer_org.id, patent_id)
    assert not nda_signed_between(market.outsider_org.id, patent_id)
    # The listing policy agrees everywhere else: the patent's own read shows the details to the NDA party only.
    patent = patents_service.get(buyer, patent_id)
    assert patents_service.dump(buyer, patent)["confidential_details"].startswith("烧结温度曲线")
    assert "confidential_details" not in patents_service.dump(market.identity("outsider"), patent)
    with pytest.raises(Conflict):  # one NDA is enough
        act(market, "buyer", deal, "propose_nda")


def test_a_declined_nda_keeps_the_details_closed(market):
    deal = drive(market, DealStatus.nda)
    act(market, "seller", deal, "decline_nda")
    assert deal.status == DealStatus.negotiation and deal.nda_text is None
    assert not nda_signed_between(market.buyer_org.id, deal.patents[0].id)


def test_a_failed_pilot_returns_to_negotiation_or_ends_the_deal(market):
    deal = drive(market, DealStatus.test_failed)
    assert deal.current_test("pilot").verdict == "fail"
    act(market, "seller", deal, "reopen_negotiation")
    assert deal.status == DealStatus.negotiation and deal.terms is None
    ended = drive(market, DealStatus.test_failed)
    act(market, "buyer", ended, "cancel")
    assert ended.status == DealStatus.cancelled


def test_the_inspection_report_is_stored_with_the_verdict(market, client):
    deal = drive(market, DealStatus.inspection)
    act(market, "buyer", deal, "inspection_passed")
    test = deal.current_test("inspection")
    assert test.verdict == "pass" and test.report.kind == "inspection_report"
    document, path = deals_service.document(market.identity("seller"), deal.id, test.report_id)
    assert path.read_bytes().startswith(b"%PDF-")
    with pytest.raises(NotFound):
        deals_service.document(market.identity("outsider"), deal.id, test.report_id)


def test_an_inspection_without_a_pdf_report_is_refused(market):
    from werkzeug.datastructures import FileStorage

    from app.core.errors import ValidationFailed

    deal = drive(market, DealStatus.inspection)
    fake = FileStorage(stream=io.BytesIO(b"not a pdf"), filename="report.pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as refused:
        act(market, "buyer", deal, "inspection_passed", {"results": "合格", "report": fake})
    assert "report" in refused.value.errors
    with pytest.raises(ValidationFailed) as missing:
        act(market, "buyer", deal, "inspection_passed", {"results": "合格"})
    assert "report" in missing.value.errors


def test_booking_needs_a_published_service_of_the_right_kind(market):
    from app.core.errors import ValidationFailed

    deal = drive(market, DealStatus.agreed)
    with pytest.raises(ValidationFailed) as wrong:
        act(market, "buyer", deal, "book_pilot", {"service_offer_id": market.lab_offer.id, "plan": "放大验证工艺"})
    assert "service_offer_id" in wrong.value.errors
    assert deal.status == DealStatus.agreed and deal.tests == []


def test_the_admin_returns_a_contract_with_reasons(market):
    deal = drive(market, DealStatus.contract_review)
    act(market, "admin", deal, "return_contract", {"reason": "合同金额与付款计划不一致，请核对。"})
    assert deal.status == DealStatus.agreed and deal.buyer_signed_at is None and deal.seller_signed_at is None
    assert deals_service.events_of(deal)[-1].payload["reason"].startswith("合同金额")


def test_cancelling_a_paid_deal_refunds_everything(market):
    deal = drive(market, DealStatus.paid)
    act(market, "seller", deal, "cancel", {"reason": "无法按期交付"})
    payment = payments.payment_of(deal)
    assert payment.status.value == "refunded" and payment.refunded_amount == payment.total
    assert deals_service.events_of(deal)[-1].payload["refunded"] == payment.total
    assert payments.balances(payment_id=payment.id)["platform_escrow"] == 0


def test_a_delivered_deal_cannot_be_cancelled_only_disputed(market):
    deal = drive(market, DealStatus.delivered)
    with pytest.raises(Conflict):
        act(market, "buyer", deal, "cancel")
    act(market, "buyer", deal, "dispute", {"reason": "交付的工艺包不完整"})
    assert deal.status == DealStatus.disputed and deal.disputed_from == "delivered"


@pytest.mark.parametrize("decision, status, payment_status", [
    ("resolve_refund", DealStatus.cancelled, "refunded"),
    ("resolve_release", DealStatus.completed, "released"),
    ("resolve_resume", DealStatus.paid, "held"),
])
def test_the_admin_decides_a_dispute(market, decision, status, payment_status):
    deal = drive(market, DealStatus.disputed)
    act(market, "admin", deal, decision)
    assert deal.status == status and payments.payment_of(deal).status.value == payment_status


def test_releasing_an_unpaid_dispute_is_refused(market):
    deal = drive(market, "disputed_before_payment")
    with pytest.raises(Conflict):
        act(market, "admin", deal, "resolve_release")
    act(market, "admin", deal, "resolve_resume")
    assert deal.status == DealStatus.negotiation


def test_a_declined_card_is_reported_and_the_buyer_can_pay_again(market):
    deal = drive(market, DealStatus.awaiting_payment)
    pay(market, deal, card="4000000000000341")
    assert deal.status == DealStatus.awaiting_payment
    failed = deals_service.events_of(deal)[-1]
    assert failed.action == "payment_failed" and failed.actor_role == "system" and failed.payload["reason"]
    payments.confirm_test_payment(market.identity("buyer"), failed.payload["payment_id"])
    db.session.refresh(deal)
    assert deal.status == DealStatus.paid


def test_a_payment_reported_twice_changes_the_deal_once(market):
    deal = drive(market, DealStatus.paid)
    payment = payments.payment_of(deal)
    deals_service.on_paid(deal.id, payment, uow=None)
    assert actions_of(deal).count("payment_confirmed") == 1
    # A payment the deal does not hold is refused (the payments package then voids it).
    with pytest.raises(Conflict):
        deals_service.execute_action(market.identity("system"), deal.id, "payment_confirmed", {"payment_id": 999})


def test_a_payment_arriving_after_cancellation_is_refused(market):
    deal = drive(market, DealStatus.awaiting_payment)
    act(market, "buyer", deal, "start_payment")
    payment = payments.payment_of(deal)
    act(market, "buyer", deal, "cancel", {"reason": "改变采购计划"})
    payments.confirm_test_payment(market.identity("buyer"), payment.id)
    db.session.refresh(deal)
    assert deal.status == DealStatus.cancelled
    assert payments.payment_of(deal).status.value == "canceled"  # voided: no money taken


def test_the_expiry_job_ends_stale_stages_only(market, app):
    stale = {status: drive(market, status) for status in (DealStatus.inquiry, DealStatus.agreed,
                                                             DealStatus.contract_signing)}
    fresh = drive(market, DealStatus.negotiation)
    waiting_for_admin = drive(market, DealStatus.contract_review)
    for deal in [*stale.values(), waiting_for_admin]:
        make_stale(deal)
    result = app.test_cli_runner().invoke(args=["deals", "expire"])
    assert result.exit_code == 0 and result.output.startswith("3 deals expired")
    for deal in stale.values():
        db.session.refresh(deal)
        assert deal.status == DealStatus.expired and deals_service.events_of(deal)[-1].actor_role == "system"
    db.session.refresh(fresh)
    db.session.refresh(waiting_for_admin)
    assert fresh.status == DealStatus.negotiation and waiting_for_admin.status == DealStatus.contract_review


def test_the_stage_deadline_follows_the_configuration(market, app, monkeypatch):
    monkeypatch.setitem(app.config, "DEAL_STAGE_DEADLINE_DAYS", 7)
    deal = open_deal(market)
    from app.core.workflow import _aware

    assert (_aware(deal.stage_deadline) - _aware(deal.created_at)).days in (6, 7)
    paid = drive(market, DealStatus.paid)
    assert paid.stage_deadline is None  # money held: never expires


def test_the_contract_pdf_renders_chinese_and_the_registration_data(market):
    deal = drive(market, DealStatus.completed)
    _, pdf = deals_service.contract_pdf(market.identity("buyer"), deal.id)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    for expected in ("技术许可合同", "专利实施许可（独占）", market.buyer_org.name, market.seller_org.name,
                     "91310000MA1FL1MMXL", deal.patents[0].patent_number, "800000.00", "技术合同认定登记信息",
                     "中试通过后", "签订日期"):
        assert expected in compact, expected
    _, record = deals_service.registration(market.identity("seller"), deal.id)
    assert record["contract_category"] == "技术许可合同" and record["amount"]["total"] == "1000000.00"
    assert record["buyer"]["credit_code"] == "91310000MA1FL1MMXL"
    assert record["subject"]["patents"][0]["number"] == deal.patents[0].patent_number
    assert [s["amount"] for s in record["payment_schedule"]] == ["800000.00", "200000.00"]
    from app.deals.contract import to_beijing

    signed = max(deal.buyer_signed_at, deal.seller_signed_at)
    assert record["term"]["months"] == 60 and record["signing_date"] == to_beijing(signed).date().isoformat()


def test_the_registration_csv(market, client):
    from app.deals.registration import registration_csv

    deal = drive(market, DealStatus.completed)
    csv_text = registration_csv(deals_service.registration(market.identity("buyer"), deal.id)[1])
    header, row = csv_text.lstrip("\ufeff").splitlines()
    assert header.startswith("合同编号,合同类别") and deal.contract["number"] in row and "91110000600037341L" in row


def test_replay_rejects_a_history_the_machine_cannot_produce(market):
    deal = drive(market, DealStatus.agreed)
    assert deals_service.replay(deal) == "agreed"
    forged = DealEvent(deal_id=deal.id, action="approve_contract", from_status="agreed", to_status="awaiting_payment",
                       actor_role="admin", payload={})
    with pytest.raises(ReplayError):
        deals_service.machine.replay([*deals_service.events_of(deal), forged])
    gap = DealEvent(deal_id=deal.id, action="deliver", from_status="paid", to_status="delivered", actor_role="seller",
                    payload={})
    with pytest.raises(ReplayError):
        deals_service.machine.replay([*deals_service.events_of(deal), gap])


def test_events_are_append_only(market):
    from app.core.audit import AppendOnlyError

    deal = open_deal(market)
    event = deals_service.events_of(deal)[0]
    event.to_status = "completed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
