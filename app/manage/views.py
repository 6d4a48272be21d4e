"""Owners' listing pages: "My listings", create/edit forms, submit, withdraw, delete and patent PDF attachments.

Views parse the form, call one service method and render; rules live in the services and policies. A form
with errors is shown again with the messages next to the fields and nothing is written (422).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.core.errors import PermissionDenied, ValidationFailed
from app.core.forms import Form, flatten_messages
from app.core.identity import current_identity
from app.listings.registry import kind, listing_services
from app.manage.labels import LISTING_STATUS, ui_labels
from app.patents import attachments

bp = Blueprint("manage", __name__, url_prefix="/my")
PER_PAGE = 20
ROW_COMMAND = "_rows"  # the name of the add/remove row buttons (they work without JavaScript)
SUBMIT_COMMAND = "_submit"  # the create form's "save and submit for review" button
UPLOAD_ERRORS = "upload_errors"  # session key: a rejected upload's messages, kept for the redirected page


@bp.app_context_processor
def labels_context() -> dict:
    """Labels of resources, statuses and kinds for every template."""
    return {"ui_labels": ui_labels()}


@bp.app_template_filter("message")
def message_text(message) -> str:
    """A service or schema message in the reader's language (a nested one, e.g. of a row, flattened), for pages
    that list messages outside the forms framework (deals, service orders)."""
    return " ".join(str(m) for m in flatten_messages(message))


def _service(resource: str):
    service = listing_services().get(resource)
    if service is None:
        abort(404)
    return service


def _back(default: str) -> str:
    """The page the user came from when it is on this site, else ``default``."""
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else default


@bp.route("/listings")
@login_required
def my_listings():
    """The organisation's listings of one resource (tabs), newest change first, with status and actions."""
    identity = current_identity()
    services = listing_services()
    totals = {resource: service.list(identity, mine=True, per_page=1)[1] for resource, service in services.items()}
    tabs = [r for r, service in services.items() if totals[r] or service.policy.allows("create", identity)]
    resource = request.args.get("resource")
    if resource not in tabs:
        resource = tabs[0] if tabs else None
    status = request.args.get("status") or None
    if status not in (None, *LISTING_STATUS):
        status = None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    text = request.args.get("q", "").strip()[:200] or None
    rows, total = [], 0
    if resource:
        service = services[resource]
        items, total = service.list(identity, mine=True, status=status, text=text, page=page, per_page=PER_PAGE)
        rows = [(obj, service.actions_for(identity, obj)) for obj in items]
    return render_template(
        "manage/my_listings.html", tabs=tabs, totals=totals, resource=resource, rows=rows, status=status, q=text,
        page=page, pages=max(1, -(-total // PER_PAGE)), total=total,
        may_create=bool(resource) and services[resource].policy.allows("create", identity),
    )


def _render_form(resource: str, form: Form, obj=None, status: int = 200, upload_errors=()):
    identity = current_identity()
    service = listing_services()[resource]
    actions = service.actions_for(identity, obj) if obj is not None else {"update"}
    files = attachments.list_for(identity, obj.id) if obj is not None and resource == "patents" else []
    return render_template(
        "manage/listing_form.html", resource=resource, form=form, obj=obj, actions=actions, attachments=files,
        upload_errors=upload_errors, row_command=ROW_COMMAND, submit_command=SUBMIT_COMMAND,
    ), status


def _stored_form(resource: str, obj) -> Form:
    """The form filled from the listing; a published listing's queued edits are what the owner goes on editing."""
    service = listing_services()[resource]
    data = {**service.dump(current_identity(), obj), **(obj.pending_changes or {})}
    return Form.from_data(kind(resource).form, service.schema_cls(), data)


def _posted_form(resource: str) -> Form:
    return Form.from_request(kind(resource).form, listing_services()[resource].schema_cls(), request.form)


@bp.route("/<resource>/new", methods=["GET", "POST"])
@login_required
def new_listing(resource):
    """The empty form; on POST, a new draft owned by the user's organisation."""
    service = _service(resource)
    identity = current_identity()
    service.policy.require("create", identity, message=_("Your organisation may not post this kind of listing."))
    if request.method == "GET":
        return _render_form(resource, Form.blank(kind(resource).form, service.schema_cls()))
    form = _posted_form(resource)
    if form.change_rows(request.form.get(ROW_COMMAND, "")):
        return _render_form(resource, form)
    submit = SUBMIT_COMMAND in request.form
    try:
        obj = service.create(identity, form.data(), submit=submit)
    except (ValidationFailed, PermissionDenied) as error:
        return _render_form(resource, form.fail(error), status=error.status)
    flash(_("Submitted for review.") if submit else _("Saved as a draft. Submit it for review when it is complete."),
          "success")
    return redirect(url_for(".edit_listing", resource=resource, listing_id=obj.id))


@bp.route("/<resource>/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit_listing(resource, listing_id):
    """The owner's page of a listing: its status, the form, the actions and (patents) the attachments."""
    service = _service(resource)
    identity = current_identity()
    obj = service.get(identity, listing_id, "update")
    if request.method == "GET":
        upload_errors = _upload_errors(obj) if resource == "patents" else []
        return _render_form(resource, _stored_form(resource, obj), obj, upload_errors=upload_errors)
    form = _posted_form(resource)
    if form.change_rows(request.form.get(ROW_COMMAND, "")):
        return _render_form(resource, form, obj)
    was_published = obj.is_published
    try:
        service.update(identity, listing_id, form.data())
    except ValidationFailed as error:
        return _render_form(resource, form.fail(error), obj, status=422)
    flash(_("Saved. The published version stays online until a moderator approves your changes.") if was_published
          else _("Saved."), "success")
    return redirect(url_for(".edit_listing", resource=resource, listing_id=listing_id))


TRANSITION_MESSAGES = {"submit": _l("Submitted for review."), "withdraw": _l("Withdrawn from the market."),
                       "delete": _l("Deleted.")}


@bp.route("/<resource>/<int:listing_id>/<any(submit, withdraw, delete):action>", methods=["POST"])
@login_required
def transition(resource, listing_id, action):
    """Submit for review, withdraw or delete (the service refuses what the status or role forbids)."""
    getattr(_service(resource), action)(current_identity(), listing_id)
    flash(str(TRANSITION_MESSAGES[action]), "success")
    if action == "delete":
        return redirect(url_for(".my_listings", resource=resource))
    return redirect(_back(url_for(".edit_listing", resource=resource, listing_id=listing_id)))


@bp.route("/patents/<int:listing_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(listing_id):
    """Attach a PDF to a patent; a wrong file is a message next to the file field and nothing is stored."""
    identity = current_identity()
    obj = listing_services()["patents"].get(identity, listing_id, "update")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _back_to_upload(obj, [_("Choose a PDF file.")])
    try:
        attachments.add(identity, listing_id, upload, confidential=bool(request.form.get("confidential")))
    except ValidationFailed as error:
        return _back_to_upload(obj, [str(m) for m in error.errors.get("file", [error.message])])
    flash(_("The PDF is attached."), "success")
    return redirect(url_for(".edit_listing", resource="patents", listing_id=listing_id, _anchor="attachments"))


def _back_to_upload(obj, messages):
    """Post-redirect-get: the messages wait in the session for the page, shown next to the upload field, so
    reloading the page does not post the file again."""
    session[UPLOAD_ERRORS] = {"listing_id": obj.id, "messages": [str(m) for m in messages]}
    return redirect(url_for(".edit_listing", resource="patents", listing_id=obj.id, _anchor="attachments"))


def _upload_errors(obj) -> list[str]:
    """The upload messages kept for this listing's page (read once)."""
    kept = session.get(UPLOAD_ERRORS)
    if not kept or kept.get("listing_id") != obj.id:
        return []
    session.pop(UPLOAD_ERRORS)
    return kept["messages"]


@bp.route("/patents/<int:listing_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(listing_id, attachment_id):
    """Remove an attachment of a patent the user's organisation may edit."""
    attachments.remove(current_identity(), attachment_id)
    flash(_("The attachment is deleted."), "success")
    return redirect(url_for(".edit_listing", resource="patents", listing_id=listing_id))
