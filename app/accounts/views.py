"""Account pages: registration of an organisation with its first user, the account page where an
organisation admin asks for verification with the unified social credit code (统一社会信用代码), the
password pages (change; forgotten → e-mailed link → new password) and the API-token page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from app.accounts import service
from app.accounts.schemas import SELF_SERVICE_KINDS, RegistrationSchema
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.forms import Form, FormSection
from app.core.forms import FormField as F
from app.core.identity import current_identity
from app.manage.labels import ORG_KIND_LABELS
from app.orgs import service as orgs
from app.orgs.schemas import VerificationRequestSchema
from app.security.limits import credential_limits

bp = Blueprint("accounts", __name__)

REGISTRATION_FORM = (
    FormSection(_l("Your organisation"), (
        F("org_name", _l("Organisation name"), required=True, wide=True),
        F("org_kind", _l("Kind of organisation"), "select", tuple((k, ORG_KIND_LABELS[k]) for k in SELF_SERVICE_KINDS),
          required=True, help=_l("Universities and institutes post patents, enterprises post technology demands, "
                                 "service providers post pilot-scale and testing services.")),
        F("region", _l("Region"), help=_l("Province or city, e.g. 江苏")),
    )),
    FormSection(_l("Your account"), (
        F("display_name", _l("Your name"), required=True),
        F("email", _l("E-mail"), "email", required=True),
        F("password", _l("Password"), "password", required=True, help=_l("At least 10 characters.")),
        F("password_confirm", _l("Password again"), "password", required=True),
    )),
)
TOKEN_STATES = {"active": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked")}
VERIFICATION_FORM = (
    FormSection(_l("Verification"), (
        F("credit_code", _l("Unified social credit code (统一社会信用代码)"), required=True,
          help=_l("18 characters, as printed on the business licence; the check character is verified.")),
    )),
)


@bp.route("/register", methods=["GET", "POST"])
@credential_limits("REGISTER_RATE_LIMIT")
def register():
    """Register an organisation and its first user, who becomes its admin.

    The answer is the same whether the e-mail address was new or not (see ``service.register``): the
    visitor is sent to the login page and told to look at their mail.
    """
    if current_user.is_authenticated:
        return redirect(url_for(".account"))
    schema = RegistrationSchema()
    if request.method == "GET":
        return render_template("accounts/register.html", form=Form.blank(REGISTRATION_FORM, schema))
    form = Form.from_request(REGISTRATION_FORM, schema, request.form)
    data = form.data()
    if data.pop("password_confirm", "") != data.get("password", ""):
        # With the other fields' messages: one round trip shows everything there is to fix.
        form.errors = {**schema.validate(data), "password_confirm": [_("The two passwords differ.")]}
        return render_template("accounts/register.html", form=form), 422
    try:
        service.register(data, locale=str(get_locale()))
    except (ValidationFailed, Conflict) as error:
        return render_template("accounts/register.html", form=form.fail(error)), error.status
    flash(_("Thank you. We sent an e-mail to %(email)s: it tells you how to log in.", email=data.get("email")),
          "success")
    return redirect(url_for("web.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The user and their organisation; organisation admins ask for verification here."""
    identity = current_identity()
    org = orgs.get(identity, identity.org_id)
    schema = VerificationRequestSchema()
    if request.method == "GET":
        form = Form.from_data(VERIFICATION_FORM, schema, {"credit_code": org.credit_code})
        return render_template("accounts/account.html", org=org, form=form, **_sections(identity, org))
    form = Form.from_request(VERIFICATION_FORM, schema, request.form)
    try:
        orgs.request_verification(identity, form.data().get("credit_code", ""))
    except (ValidationFailed, Conflict) as error:
        return render_template("accounts/account.html", org=org, form=form.fail(error),
                               **_sections(identity, org)), error.status
    flash(_("Thank you. A platform admin will check your organisation."), "success")
    return redirect(url_for(".account"))


def _sections(identity, org) -> dict:
    """Template variables of the sections other domains add to the account page: each
    ``section(identity, org) -> dict`` in ``app.extensions["account_sections"]`` (members adds its list and forms)."""
    context = {}
    for section in current_app.extensions.get("account_sections", []):
        context.update(section(identity, org))
    return context


def _field_errors(error: ValidationFailed) -> dict:
    return {field: [str(m) for m in messages] for field, messages in error.errors.items()}


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the user ends, this one stays logged in."""
    if request.method == "GET":
        return render_template("accounts/set_password.html", errors={}, ask_current=True)
    try:
        user = service.change_password(current_identity(), request.form.get("current_password", ""),
                                       request.form.get("password", ""))
    except ValidationFailed as error:
        return render_template("accounts/set_password.html", errors=_field_errors(error), ask_current=True), 422
    login_user(user)  # a fresh cookie with the new session version
    flash(_("Your password is changed. Other devices are logged out."), "success")
    return redirect(url_for(".account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@credential_limits()
def forgot_password():
    """Ask for a reset link by e-mail; the answer never says whether the address has an account."""
    if request.method == "GET":
        return render_template("accounts/forgot_password.html", email="")
    email = request.form.get("email", "").strip()
    service.request_password_reset(email)
    flash(_("If %(email)s belongs to an account, a link to set a new password is on its way.", email=email),
          "success")
    return redirect(url_for("web.login"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@credential_limits()
def reset_password(token):
    """Set a new password with the e-mailed single-use link; then log in with it."""
    if request.method == "GET":
        if not service.reset_token_is_valid(token):
            return render_template("error.html", status=404,
                                   message=_("This link has expired or was already used. Ask for a new one.")), 404
        return render_template("accounts/set_password.html", errors={}, ask_current=False)
    try:
        service.reset_password(token, request.form.get("password", ""))
    except ValidationFailed as error:
        return render_template("accounts/set_password.html", errors=_field_errors(error), ask_current=False), 422
    except NotFound as error:
        return render_template("error.html", status=404, message=str(error.message)), 404
    flash(_("Your new password is set. Log in with it."), "success")
    return redirect(url_for("web.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The user's API tokens (expiry, last use, revoked) with a revoke button each; POST creates one."""
    created = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:100] or "api"
        created = service.create_token(current_user, name)  # shown once on this page, never stored or flashed
    rows = [(token, service.token_state(token)) for token in service.tokens_of(current_identity())]
    return render_template("accounts/tokens.html", rows=rows, created=created, labels=TOKEN_STATES)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    """Revoke one of the user's tokens: it stops working at once."""
    try:
        service.revoke_token(current_identity(), token_id)
    except PermissionDenied:
        return render_template("error.html", status=404, message=_("No such token.")), 404
    flash(_("The token is revoked."), "success")
    return redirect(url_for(".tokens"))
