"""The schedule service: building a deal's schedule when its contract is approved, the workflow engine's single
``execute_action`` entry point for its items (and, once every item is settled, the deal's completion), royalty
years and shortfalls, and the daily reminders.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.errors import NotFound
from app.core.extensions import db
from app.core.formatting import local_date, local_today
from app.core.identity import Identity
from app.core.models import utcnow
from app.core.uow import unit_of_work
from app.core.workflow import ADMIN, BUYER, CREATED, SELLER, WorkflowService
from app.deals.models import Deal, DealStatus
from app.deals.service import deals_service
from app.notifications.service import tell
from app.notifications.workflow import party_recipients
from app.schedules.actions import DOCUMENTS_FOLDER, MACHINE, STATUS_LABELS
from app.schedules.models import CLOSED, ItemKind, ItemStatus, ScheduleDocument, ScheduleItem, ScheduleItemEvent
from app.schedules.plan import REPORT_GRACE_DAYS, contract_years, fen, plan, shortfall
from app.schedules.policy import schedule_policy

# Royalty statuses in which the period's report has been accepted (its royalty counts towards the minimum).
ACCEPTED_ROYALTY = frozenset({ItemStatus.awaiting_payment, ItemStatus.funded, ItemStatus.released,
                              ItemStatus.settled, ItemStatus.reversed, ItemStatus.cancelled})
QUIET_ACTIONS = frozenset({CREATED, "open"})  # the deal's approval already told both parties


class ScheduleService(WorkflowService):
    """Schedule items on the workflow engine."""

    subject_label = _l("Payment schedule item")
    link_prefix = "/schedule-items"

    def status_label(self, status) -> str:
        return STATUS_LABELS[status]

    @staticmethod
    def display_title(item: ScheduleItem) -> str:
        """The item's name in the reader's language (a milestone keeps the contract's own words)."""
        if item.kind == ItemKind.upfront:
            return gettext("Upfront fee")
        if item.kind == ItemKind.instalment:
            return gettext("Instalment %(number)s", number=item.sequence)
        if item.kind == ItemKind.royalty:
            return gettext("Royalty report %(start)s – %(end)s", start=item.period_start.isoformat(),
                           end=item.period_end.isoformat())
        if item.kind == ItemKind.shortfall:
            return gettext("Minimum royalty shortfall, contract year %(year)s", year=item.contract_year)
        return item.title

    def create(self, identity: Identity, data: dict, *, uow=None):
        """Nobody creates items by hand: they come from an approved contract's terms (403)."""
        schedule_policy.require("create", identity, message="schedule items are created when a contract with a payment "
                                                             "schedule is approved")

    # ---------------------------------------------------------------- building

    def build_for_deal(self, deal: Deal, ctx) -> list[ScheduleItem]:
        """Turn an approved deal's terms into its items, each opened at once (in the approval's unit of work)."""
        start = local_date(ctx.now)
        created = []
        for planned in plan(deal.terms, start):
            item = ScheduleItem(deal_id=deal.id, kind=planned.kind, sequence=planned.sequence, title=planned.title,
                                buyer_org_id=deal.buyer_org_id, seller_org_id=deal.seller_org_id,
                                mode=deal.terms["mode"], amount=planned.amount, due_date=planned.due_date,
                                **planned.extra)
            created.append(self._add(item, ctx.uow))
        return created

    def _add(self, item: ScheduleItem, uow) -> ScheduleItem:
        due = item.due_date.isoformat() if item.due_date else None
        # The event's amount is in yuan, as every money field of an event (the item's own column is in fen).
        amount = None if item.amount is None else f"{item.payable_amount:.2f}"
        self.record_creation(Identity.system(), item, {"kind": item.kind.value, "amount": amount, "due_date": due},
                             uow=uow)
        self.execute_action(Identity.system(), item.id, "open", uow=uow)
        return item

    # ---------------------------------------------------------------- the entry point

    @unit_of_work
    def execute_action(self, identity: Identity, obj_id: int, action_name: str, data: dict | None = None, *, uow):
        """Run one action on item ``obj_id`` (see :meth:`WorkflowService.execute_action`); the deal completes once
        every item is settled (a release's distribution statements come from the payments package's release
        listener, as for every payment)."""
        item = super().execute_action(identity, obj_id, action_name, data, uow=uow)
        if item.status in CLOSED:
            self.complete_deal_if_settled(item.deal_id, uow=uow)
        return item

    def complete_deal_if_settled(self, deal_id: int, *, uow) -> bool:
        """Complete the deal when it is performing, every item is closed and every contract year with a
        minimum royalty has had its shortfall computed."""
        deal = db.session.get(Deal, deal_id)
        if deal is None or deal.status != DealStatus.performing:
            return False
        items = self.items_of_deal(deal)
        if any(item.status not in CLOSED for item in items):
            return False
        if deal.terms.get("royalty_minimum_annual") and deal.terms.get("royalty_rate"):
            years = contract_years(local_date(deal.approved_at), deal.terms["term_months"])
            if sum(1 for item in items if item.kind == ItemKind.shortfall) < len(years):
                return False
        deals_service.execute_action(Identity.system(), deal.id, "complete_schedule", uow=uow)
        return True

    # ---------------------------------------------------------------- reads

    def items_of_deal(self, deal: Deal) -> list[ScheduleItem]:
        """Every item of ``deal`` in schedule order (no permission check: callers have checked the deal)."""
        return list(db.session.scalars(
            select(ScheduleItem).where(ScheduleItem.deal_id == deal.id)
            .order_by(ScheduleItem.due_date.is_(None), ScheduleItem.due_date, ScheduleItem.id)
        ))

    def schedule(self, identity: Identity, deal_id: int) -> dict:
        """The schedule of deal ``deal_id`` for its parties and platform admins (404 for anyone else): the
        items, the royalty years with their shortfalls and the totals."""
        deal = db.session.get(Deal, deal_id)
        if deal is None or not schedule_policy.allows("read", identity, deal):
            raise NotFound(f"deal {deal_id} not found")
        items = self.items_of_deal(deal)
        today = local_today()
        released = sum(i.amount or 0 for i in items if i.status == ItemStatus.released)
        expected = sum(i.amount or 0 for i in items if i.status not in CLOSED)
        return {"deal": deal, "items": items, "years": self.royalty_years(deal, items),
                "overdue": [i.id for i in items if i.overdue(today)], "released": released, "expected": expected}

    def royalty_years(self, deal: Deal, items: list[ScheduleItem] | None = None) -> list[dict]:
        """Per contract year: the minimum, the royalties of accepted reports, late reports and the shortfall."""
        terms = deal.terms or {}
        if not (terms.get("royalty_rate") and terms.get("royalty_period") and deal.approved_at):
            return []
        items = self.items_of_deal(deal) if items is None else items
        minimum = fen(terms["royalty_minimum_annual"]) if terms.get("royalty_minimum_annual") else 0
        years = []
        for number, first, last in contract_years(local_date(deal.approved_at), terms["term_months"]):
            periods = [i for i in items if i.kind == ItemKind.royalty and i.contract_year == number]
            accepted = [i for i in periods if i.status in ACCEPTED_ROYALTY]
            royalties = sum(i.amount or 0 for i in accepted)
            years.append({
                "year": number, "start": first, "end": last, "minimum": minimum, "royalties": royalties,
                "reports_due": len(periods), "reports_accepted": len(accepted),
                "late_reports": sum(1 for i in periods if i.report_late),
                "shortfall": shortfall(minimum, royalties),
                "complete": len(accepted) == len(periods),
            })
        return years

    def list_items(self, identity: Identity, *, overdue_only: bool = False, page: int = 1, per_page: int = 20):
        """``(items, total)``: the items of the identity's organisation's deals (the admin desk: everyone's),
        soonest due first; ``overdue_only`` keeps those past their due date."""
        query = select(ScheduleItem)
        if not schedule_policy.allows("watch_all", identity):
            query = query.where(schedule_policy.sql_filter("read", identity, ScheduleItem))
        if overdue_only:
            query = query.where(ScheduleItem.status.in_([ItemStatus.awaiting_report, ItemStatus.awaiting_payment]),
                                ScheduleItem.due_date < local_today())
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = db.session.scalars(query.order_by(ScheduleItem.due_date.is_(None), ScheduleItem.due_date,
                                                 ScheduleItem.id).limit(per_page).offset((page - 1) * per_page))
        return list(rows), total

    # ---------------------------------------------------------------- scheduled jobs

    def close_royalty_years(self, now: datetime | None = None) -> list[int]:
        """Create the shortfall item of every ended contract year whose reports are all accepted (each deal in
        its own unit of work); returns the new items' ids. Running it again creates nothing twice."""
        now = now or utcnow()
        created = []
        deal_ids = db.session.scalars(select(Deal.id).where(Deal.status == DealStatus.performing)).all()
        for deal_id in deal_ids:
            created += self._close_years_of(deal_id, local_date(now))
        return created

    @unit_of_work
    def _close_years_of(self, deal_id: int, today: date, *, uow) -> list[int]:
        deal = uow.session.scalar(select(Deal).where(Deal.id == deal_id).with_for_update(of=Deal))
        if not (deal.terms.get("royalty_minimum_annual") and deal.terms.get("royalty_rate")):
            return []
        items = self.items_of_deal(deal)
        done = {i.contract_year for i in items if i.kind == ItemKind.shortfall}
        created = []
        for year in self.royalty_years(deal, items):
            if year["year"] in done or not year["complete"] or year["end"] >= today:
                continue
            item = ScheduleItem(
                deal_id=deal.id, kind=ItemKind.shortfall, sequence=year["year"], contract_year=year["year"],
                title=f"第{year['year']}合同年度保底提成差额",
                buyer_org_id=deal.buyer_org_id, seller_org_id=deal.seller_org_id, mode=deal.terms["mode"],
                amount=year["shortfall"], due_date=year["end"] + timedelta(days=REPORT_GRACE_DAYS),
                period_start=year["start"], period_end=year["end"])
            created.append(self._add(item, uow).id)
        if created:
            self.complete_deal_if_settled(deal.id, uow=uow)
        return created

    @unit_of_work
    def remind(self, now: datetime | None = None, *, uow) -> dict:
        """The daily reminders: items due within ``SCHEDULE_REMINDER_DAYS`` (both parties, once) and items
        overdue (both parties and the admin desk, once). Returns the counts."""
        now = now or utcnow()
        today = local_date(now)
        soon = today + timedelta(days=current_app.config.get("SCHEDULE_REMINDER_DAYS", 7))
        waiting = [ItemStatus.awaiting_report, ItemStatus.awaiting_payment]
        due = uow.session.scalars(select(ScheduleItem).where(
            ScheduleItem.status.in_(waiting), ScheduleItem.due_date.is_not(None), ScheduleItem.due_date <= soon,
            (ScheduleItem.reminded_at.is_(None)) | (ScheduleItem.overdue_notified_at.is_(None)),
        ).with_for_update()).all()
        counts = {"reminded": 0, "overdue": 0}
        for item in due:
            if item.overdue(today):
                if item.overdue_notified_at is None:
                    item.overdue_notified_at = now
                    self._remind(item, (BUYER, SELLER, ADMIN), overdue=True, uow=uow)
                    counts["overdue"] += 1
            elif item.reminded_at is None:
                item.reminded_at = now
                self._remind(item, (BUYER, SELLER), overdue=False, uow=uow)
                counts["reminded"] += 1
        return counts

    def _remind(self, item: ScheduleItem, roles, *, overdue: bool, uow) -> None:
        for role in roles:
            tell(party_recipients(item, role), "schedule_items.overdue" if overdue else "schedule_items.due_soon",
                 self.link(item), uow=uow,
                 title=lambda: (gettext("Overdue: “%(title)s” was due on %(due)s", title=item.title,
                                        due=item.due_date.isoformat()) if overdue else
                                gettext("Due soon: “%(title)s” on %(due)s", title=item.title,
                                        due=item.due_date.isoformat())),
                 body=lambda: self.notification_title(item))

    # ---------------------------------------------------------------- internals

    def _notify(self, obj, identity, action_name, uow) -> None:
        if action_name not in QUIET_ACTIONS:
            super()._notify(obj, identity, action_name, uow)

    def link(self, obj) -> str:
        return f"{self.link_prefix}/{obj.id}"


schedule_service = ScheduleService(
    model=ScheduleItem, event_model=ScheduleItemEvent, document_model=ScheduleDocument, fk="item_id",
    documents_folder=DOCUMENTS_FOLDER, machine=MACHINE,
)
