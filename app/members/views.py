"""Member pages: the members section of /account (add a colleague by e-mail, change a role, remove), and the
invitation page where a new person sets their password."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.forms import Form, FormSection
from app.core.forms import FormField as F
from app.core.identity import current_identity
from app.core.labels import ROLES
from app.members import service
from app.members.schemas import MEMBER_ROLES, MemberSchema, PasswordSchema, invitation_pending
from app.orgs import service as orgs

bp = Blueprint("members", __name__)
ROLE_CHOICES = tuple((role.value, ROLES[role.value]) for role in MEMBER_ROLES)
MEMBER_FORM = (
    FormSection(_l("Add a colleague"), (
        F("email", _l("E-mail"), "email", required=True),
        F("display_name", _l("Name"), required=True),
        F("role", _l("Role"), "select", ROLE_CHOICES,
          help=_l("New people get an e-mail with a link to set their password.")),
    )),
)
PASSWORD_FORM = (
    FormSection(_l("Your password"), (
        F("password", _l("Password"), "password", required=True, help=_l("At least 10 characters.")),
        F("password_confirm", _l("Password again"), "password", required=True),
    )),
)


def section(identity, org, form: Form | None = None) -> dict:
    """What the members section of the account page shows: the members, and the forms for admins."""
    members = service.list_members(identity, org.id)
    return {"members": members, "invited": {user.id for user in members if invitation_pending(user)},
            "manages_members": service.may_manage(identity, org),
            "member_form": form or Form.blank(MEMBER_FORM, MemberSchema()), "role_choices": ROLE_CHOICES}


def _account_page(form: Form | None = None, code: int = 200):
    identity = current_identity()
    org = orgs.get(identity, identity.org_id)
    return render_template("members/members.html", org=org, **section(identity, org, form)), code


@bp.route("/account/members", methods=["GET", "POST"])
@login_required
def members():
    """The organisation's members; its admins add a colleague here (a message next to the field on bad input)."""
    if request.method == "GET":
        return _account_page()
    form = Form.from_request(MEMBER_FORM, MemberSchema(), request.form)
    try:
        user = service.add_member(current_identity(), current_identity().org_id, form.data())
    except (ValidationFailed, Conflict) as error:
        return _account_page(form.fail(error), error.status)
    flash(_("%(name)s was added; they have been told by e-mail.", name=user.display_name), "success")
    return _back_to_members()


@bp.route("/account/members/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(user_id):
    """Give a member another role."""
    identity = current_identity()
    try:
        user = service.change_role(identity, identity.org_id, user_id, {"role": request.form.get("role", "")})
    except (ValidationFailed, Conflict) as error:
        _flash_refusal(error)
    else:
        flash(_("%(name)s is now: %(role)s.", name=user.display_name, role=ROLES[user.role.value]), "success")
    return _back_to_members()


@bp.route("/account/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove(user_id):
    """Remove a member from the organisation."""
    identity = current_identity()
    try:
        user = service.remove_member(identity, identity.org_id, user_id)
    except Conflict as error:
        _flash_refusal(error)
    else:
        flash(_("%(name)s was removed.", name=user.display_name), "success")
    return _back_to_members()


def _back_to_members():
    return redirect(url_for("accounts.account", _anchor="members"))


def _flash_refusal(error) -> None:
    messages = [str(m) for value in getattr(error, "extra", {}).get("errors", {}).values() for m in value]
    flash(" ".join(messages) or str(error.message), "error")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token):
    """A new member chooses their password from the link in their invitation e-mail, and is logged in."""
    try:
        user = service.invited_user(token)
    except NotFound:
        return render_template("members/invitation.html", user=None), 404
    schema = PasswordSchema()
    if request.method == "GET":
        return render_template("members/invitation.html", user=user, form=Form.blank(PASSWORD_FORM, schema))
    form = Form.from_request(PASSWORD_FORM, schema, request.form)
    data = form.data()
    if data.pop("password_confirm", "") != data.get("password", ""):
        # Shown together with what the schema says about the password itself, not instead of it.
        form.errors = {**schema.validate(data), "password_confirm": [_("The two passwords differ.")]}
        return render_template("members/invitation.html", user=user, form=form), 422
    try:
        user = service.accept_invitation(token, data)
    except ValidationFailed as error:
        return render_template("members/invitation.html", user=user, form=form.fail(error)), error.status
    login_user(user)
    flash(_("Welcome to %(org)s! Your password is set.", org=user.organisation.name), "success")
    return redirect(url_for("accounts.account"))
