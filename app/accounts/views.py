"""Account pages: registration of an organisation with its first user, and the account page where an
organisation admin asks for verification with the unified social credit code (统一社会信用代码)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user

from ..errors import Conflict, ValidationFailed
from ..extensions import limiter
from ..identity import current_identity
from ..manage.forms import Form, FormField as F, FormSection
from ..manage.labels import ORG_KIND_LABELS
from ..members import views as member_pages
from ..orgs import service as orgs
from ..orgs.schemas import VerificationRequestSchema
from . import service
from .schemas import SELF_SERVICE_KINDS, RegistrationSchema

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
VERIFICATION_FORM = (
    FormSection(_l("Verification"), (
        F("credit_code", _l("Unified social credit code (统一社会信用代码)"), required=True,
          help=_l("18 characters, as printed on the business licence; the check character is verified.")),
    )),
)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def register():
    """Register an organisation and its first user, who becomes its admin and is logged in."""
    if current_user.is_authenticated:
        return redirect(url_for(".account"))
    schema = RegistrationSchema()
    if request.method == "GET":
        return render_template("accounts/register.html", form=Form.blank(REGISTRATION_FORM, schema))
    form = Form.from_request(REGISTRATION_FORM, schema, request.form)
    data = form.data()
    if data.pop("password_confirm", "") != data.get("password", ""):
        form.errors = {"password_confirm": [_("The two passwords differ.")]}
        return render_template("accounts/register.html", form=form), 422
    try:
        user = service.register(data, locale=str(get_locale()))
    except (ValidationFailed, Conflict) as error:
        return render_template("accounts/register.html", form=form.fail(error)), error.status
    login_user(user)
    flash(_("Welcome! Your organisation is registered. Ask for verification so that you can publish."), "success")
    return redirect(url_for(".account"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The user and their organisation; organisation admins ask for verification here."""
    identity = current_identity()
    org = orgs.get(identity, identity.org_id)
    schema = VerificationRequestSchema()
    if request.method == "GET":
        form = Form.from_data(VERIFICATION_FORM, schema, {"credit_code": org.credit_code})
        return render_template("accounts/account.html", org=org, form=form, **member_pages.section(identity, org))
    form = Form.from_request(VERIFICATION_FORM, schema, request.form)
    try:
        orgs.request_verification(identity, form.data().get("credit_code", ""))
    except (ValidationFailed, Conflict) as error:
        return render_template("accounts/account.html", org=org, form=form.fail(error),
                               **member_pages.section(identity, org)), error.status
    flash(_("Thank you. A platform admin will check your organisation."), "success")
    return redirect(url_for(".account"))
