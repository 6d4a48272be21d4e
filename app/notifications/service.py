"""Notifications: an in-app row per recipient, written in the caller's transaction, and an e-mail sent after
the commit through the configured SMTP server (with no ``SMTP_HOST`` the message is only logged).

Other domains call :func:`notify` with their unit of work; a rolled-back transaction therefore neither shows a
notification nor sends a mail.
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.core.errors import NotFound
from app.core.extensions import db
from app.core.identity import Identity
from app.core.mail import SendMail
from app.core.models import utcnow
from app.core.uow import unit_of_work
from app.notifications.models import Notification
from app.notifications.policy import notification_policy

log = logging.getLogger(__name__)


def notify(users, kind: str, title: str, body: str = "", link: str | None = None, *, email: bool = True,
           mail_link: str | None = None, uow) -> list:
    """Tell each of ``users`` about something: an in-app notification now, an e-mail after the commit.

    ``link`` is a site path (e.g. ``/deals/3``); the mail carries it as a full address (``SITE_URL``) so the
    recipient can open it from their mail client; ``mail_link`` is mailed instead when given. Returns the rows.
    """
    rows = []
    for user in {user.id: user for user in users if user is not None and user.active}.values():
        row = Notification(user_id=user.id, kind=kind, title=title[:300], body=body, link=link)
        uow.session.add(row)
        rows.append(row)
        if email:
            address = mail_link or link
            text = f"{body}\n\n{site_url(address)}" if address else body
            uow.register(SendMail(user.email, f"[技桥 TechBridge] {title}", text))
    return rows


def tell(users, kind: str, link: str | None, *, uow, title, body=lambda: "", mail_link: str | None = None) -> None:
    """Notify each of ``users`` in their own language: ``title`` and ``body`` are called under their locale.

    ``mail_link`` replaces ``link`` in the e-mail only (an invitation link is mailed, never stored in the inbox).
    """
    for user in users:
        with force_locale(locale_of(user)):
            text_title, text_body = title(), body()
        notify([user], kind, text_title, text_body, link, mail_link=mail_link, uow=uow)


def locale_of(user: User) -> str:
    """The language ``user`` chose last (their profile), else the platform's default (Chinese)."""
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def site_url(path: str) -> str:
    """``path`` as a full address of the site (mail is read outside the site, workers run outside requests)."""
    return current_app.config["SITE_URL"].rstrip("/") + path


def recipients_of_org(org_id: int) -> list[User]:
    """The active users of an organisation (everyone there hears about its deals and matches)."""
    return list(db.session.scalars(select(User).where(User.org_id == org_id, User.active.is_(True))))


def inbox(identity: Identity, *, unread_only: bool = False, page: int = 1, per_page: int = 20):
    """``(rows, total, unread)``: the identity's notifications, newest first."""
    notification_policy.require("list", identity, message="log in to read notifications")
    mine = notification_policy.sql_filter("read", identity, Notification)
    query = select(Notification).where(mine)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    unread = unread_count(identity)
    rows = db.session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total, unread


def unread_count(identity: Identity) -> int:
    """How many of the identity's notifications are unread (0 for anonymous visitors)."""
    if not notification_policy.allows("list", identity):
        return 0
    return db.session.scalar(select(func.count(Notification.id)).where(
        notification_policy.sql_filter("read", identity, Notification), Notification.read_at.is_(None)))


@unit_of_work
def mark_read(identity: Identity, notification_ids: list[int] | None = None, *, uow) -> int:
    """Mark the identity's notifications read (all of them when ``notification_ids`` is None); returns how many.

    Ids of other users' notifications are refused as unknown, so nobody learns they exist.
    """
    notification_policy.require("list", identity, message="log in to read notifications")
    mine = notification_policy.sql_filter("read", identity, Notification)
    if notification_ids is not None:
        found = set(uow.session.scalars(select(Notification.id).where(mine, Notification.id.in_(notification_ids))))
        missing = sorted(set(notification_ids) - found)
        if missing:
            raise NotFound(f"no notification {missing[0]}")
        mine = mine & Notification.id.in_(notification_ids)
    now: datetime = utcnow()
    result = uow.session.execute(update(Notification).where(mine, Notification.read_at.is_(None)).values(read_at=now))
    return result.rowcount
