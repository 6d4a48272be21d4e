"""Payment schedules after signing: instalments, milestones, royalties and revenue distribution."""
from __future__ import annotations

from app.core import wiring
from app.deals import actions as deal_actions
from app.payments import hooks
from app.transactions import desk


def init_app(app) -> None:
    """Wire the schedule and distribution pages, the API and the daily command; build a deal's schedule when its
    contract is approved; the items' payment callbacks; their disputes on the admins' desk."""
    from app.schedules import api, cli, views  # its own modules, loaded when the app is wired, not on import
    from app.schedules.models import ScheduleItem
    from app.schedules.service import schedule_service

    wiring.register(app, views=[views.bp, views.distribution_bp], apis=[api.blp], commands=[cli.cli])
    deal_actions.SCHEDULE_BUILDERS[:] = [schedule_service.build_for_deal]
    hooks.register(ScheduleItem.payable_kind, on_paid=schedule_service.on_paid, on_failed=schedule_service.on_failed)
    desk.register(schedule_service)
