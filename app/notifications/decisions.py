"""Notifications of decisions on a user's own things, each in the recipient's language with a link to the thing:

* a listing approved, returned for revision (整改) with the reasons, or rejected; a published listing's pending
  edits applied or discarded (with the reason) — to the people of the owning organisation;
* an organisation verified or refused — to its people;
* a member added (a new person gets the invitation link in the mail), given another role or removed — to that
  person and to the organisation's other admins.

The deciding services send signals inside their transaction; :func:`init_app` connects the receivers here, so
the rows are written in that same transaction and the mails leave after its commit.
"""
from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import Role, User
from app.core.labels import ROLES
from app.listings.registry import kind
from app.listings.signals import listing_decided
from app.members.service import INVITATION_DAYS, membership_changed
from app.notifications.service import recipients_of_org, tell
from app.orgs.service import verification_decided

ACCOUNT_PAGE = "/account"
MEMBERS_SECTION = "/account#members"


def init_app(app) -> None:
    """Connect the receivers to the deciding services' signals (once; blinker ignores repeated connections)."""
    listing_decided.connect(listing_notice)
    verification_decided.connect(verification_notice)
    membership_changed.connect(membership_notice)


def listing_notice(resource: str, *, obj, decision: str, reason: str | None, edits: bool, uow) -> None:
    """Tell the owning organisation's people what the moderator decided about ``obj`` (or its pending edits)."""
    published = decision == "approve"
    # Published: the public page; otherwise the edit form, where the moderator's note stands beside the fields.
    link = f"/{resource}/{obj.id}" if published else f"/my/{resource}/{obj.id}/edit"

    def title() -> str:
        names = {"kind": str(kind(resource).singular), "title": obj.title}
        if edits:
            return (_("Your edits to the %(kind)s “%(title)s” are published.", **names) if published
                    else _("Your edits to the %(kind)s “%(title)s” were not accepted and are discarded.", **names))
        return {"approve": _("Your %(kind)s “%(title)s” is published.", **names),
                "revise": _("Your %(kind)s “%(title)s” needs revision (整改).", **names),
                "reject": _("Your %(kind)s “%(title)s” was rejected.", **names)}[decision]

    def body() -> str:
        lines = [_("Moderator's note: %(reason)s", reason=reason)] if (reason or "").strip() else []
        if decision == "revise" and not edits:
            lines.append(_("Correct the listing and submit it again."))
        return "\n".join(lines)

    tell(recipients_of_org(obj.org_id), f"{resource}.{decision}", link, uow=uow, title=title, body=body)


def verification_notice(org, *, decision: str, reason: str | None, uow) -> None:
    """Tell the organisation's people that it was verified, or refused with the reason."""
    verified = decision == "verify"

    def title() -> str:
        return (_("Your organisation “%(name)s” is verified.", name=org.name) if verified
                else _("The verification of “%(name)s” was refused.", name=org.name))

    def body() -> str:
        if verified:
            return _("You can now submit listings for review.")
        return "\n".join([_("Reason: %(reason)s", reason=reason),
                          _("Correct the credit code on your account page and ask again.")])

    tell(recipients_of_org(org.id), f"organisation.{decision}", ACCOUNT_PAGE, uow=uow, title=title, body=body)


def membership_notice(user: User, *, change: str, actor_id: int | None, invitation: str | None, uow) -> None:
    """Tell the person concerned (with the invitation link in a new person's mail) and the other admins."""
    org, role = user.organisation, ROLES[user.role.value]
    names = {"org": org.name, "name": user.display_name}

    def own_title() -> str:
        return {"added": _("You were added to “%(org)s” as %(role)s.", role=str(role), **names),
                "role_changed": _("Your role in “%(org)s” is now: %(role)s.", role=str(role), **names),
                "removed": _("You were removed from “%(org)s”.", **names)}[change]

    def own_body() -> str:
        if invitation:
            return _("Set your password with the invitation link below (valid for %(days)s days).",
                     days=INVITATION_DAYS)
        if change == "removed":
            return _("You can no longer log in for this organisation; ask its admin if this is a mistake.")
        return ""

    tell([user], f"membership.{change}", None if change == "removed" else ACCOUNT_PAGE, mail_link=invitation,
         uow=uow, title=own_title, body=own_body)

    def admins_title() -> str:
        return {"added": _("%(name)s joined “%(org)s” as %(role)s.", role=str(role), **names),
                "role_changed": _("%(name)s's role in “%(org)s” is now: %(role)s.", role=str(role), **names),
                "removed": _("%(name)s was removed from “%(org)s”.", **names)}[change]

    admins = [other for other in recipients_of_org(org.id)
              if other.role == Role.org_admin and other.id not in (user.id, actor_id)]
    tell(admins, f"membership.{change}", MEMBERS_SECTION, uow=uow, title=admins_title)
