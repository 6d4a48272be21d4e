"""E-mail sent after the commit of the change it reports (never for a change that rolled back)."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from app.core.uow import Operation

log = logging.getLogger(__name__)


class SendMail(Operation):
    """After the commit: deliver one plain-text e-mail (UTF-8, so Chinese subjects and bodies survive), with no
    database transaction open."""

    outside = True

    def __init__(self, to: str, subject: str, body: str):
        self.to, self.subject, self.body = to, subject, body

    def on_commit(self, uow) -> None:
        config = current_app.config
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], self.to, self.subject
        message.set_content(self.body)
        if not config["SMTP_HOST"]:
            log.info("mail (no SMTP_HOST set) to %s: %s", self.to, self.subject)
            return
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            smtp.send_message(message)
