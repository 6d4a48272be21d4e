"""Payment schedules after signing: instalments, milestones, royalties and revenue distribution."""
from __future__ import annotations

from app.core import wiring
from app.deals import actions as deal_actions
from app.payments import hooks
from app.transactions import desk


def init_app(app) -> None:
    """Wire the schedule and distribution pages, the API and the daily command; build a deal's schedule when its
    contract is approved; the items' payment callbacks; their disputes on the admins' desk; the distribution
    statements of every released (and reversed) payment."""
    from app.schedules import api, cli, distribution, views  # its own modules, loaded when the app is wired
    from app.schedules.models import ScheduleItem
    from app.schedules.service import schedule_service

    wiring.register(app, views=[views.bp, views.distribution_bp], apis=[api.blp], commands=[cli.cli])
    deal_actions.SCHEDULE_BUILDERS[:] = [schedule_service.build_for_deal]
    hooks.register(ScheduleItem.payable_kind, on_paid=schedule_service.on_paid, on_failed=schedule_service.on_failed)
    desk.register(schedule_service)
    hooks.listen_to_releases(on_released=distribution.distribute, on_reversed=distribution.reverse)
