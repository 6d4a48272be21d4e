"""Workflow notices: after every transition of a deal or service order, tell whoever must act next (in their
language), and both parties when the subject closed. Connected to :data:`app.core.workflow.transitioned` in
this domain's ``init_app``."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from app.accounts.models import Role, User
from app.core.extensions import db
from app.core.workflow import BUYER, PARTIES, SELLER
from app.notifications.service import recipients_of_org, tell


def party_recipients(obj, role: str) -> list[User]:
    """The users acting for ``role`` on ``obj``: the party's organisation, or the platform admins."""
    if role == BUYER:
        return recipients_of_org(obj.buyer_org_id)
    if role == SELLER:
        return recipients_of_org(obj.seller_org_id)
    return list(db.session.scalars(
        select(User).where(User.role == Role.platform_admin, User.active.is_(True))
    ))


def notify_next(service, *, obj, identity, action: str, uow) -> None:
    """Tell whoever must act next on ``obj`` after ``action``; the actor's side knows what it just did."""
    awaited = service.machine.awaited_roles(obj)
    if not obj.is_open:
        awaited = awaited | PARTIES
    actor_role = service.role_of(identity, obj)
    recipients = getattr(service, "recipients", party_recipients)  # a workflow may narrow who hears (sealed bids)
    for role in sorted(awaited - {actor_role}):
        steps = [a.label for a in service.machine.available(obj, role) if a.awaited]
        tell(recipients(obj, role), f"{obj.__tablename__}.{action}", service.link(obj), uow=uow,
             title=lambda: service.notification_title(obj),
             body=lambda steps=steps: gettext("Your next step: %(steps)s", steps=", ".join(map(str, steps))) if steps else "")
