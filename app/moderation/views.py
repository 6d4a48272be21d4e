"""Platform admins' moderation pages: the review queue with filters, bulk and per-row decisions; the review page
of one listing (field-level diff of its pending edits, approve / 整改 with reasons / reject); the audit log.

Filters are loaded with the API's own query schemas, decisions and diffs come from the moderation service; the
service refuses anyone but platform admins (403).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from app.accounts import service as accounts
from app.core.errors import Conflict, ValidationFailed
from app.core.formatting import format_datetime
from app.core.identity import current_identity
from app.core.labels import DECISIONS, audit_action_label
from app.listings.registry import kind, listing_services
from app.moderation import display, service
from app.moderation.api import AuditArgs, QueueArgs
from app.orgs import service as orgs

bp = Blueprint("moderation", __name__, url_prefix="/admin")
QUEUE_PER_PAGE = 30
AUDIT_PER_PAGE = 50


def _args(schema_cls, per_page: int) -> tuple[dict, dict]:
    """The page's filters loaded by the API's schema (blank selects dropped), and messages for bad ones."""
    given = {key: value for key, value in request.args.items() if value.strip()}
    try:
        return schema_cls().load({"per_page": per_page, **given}), {}
    except ValidationError as error:
        return schema_cls().load({"per_page": per_page}), error.normalized_messages()


def _changes(identity, resource: str, obj) -> list[dict]:
    """The rows of a pending-edits diff as the pages show them: label, current and proposed value."""
    return [{"field": change.field, "label": display.field_label(resource, change.field),
             "before": display.shown(change.field, change.before), "after": display.shown(change.field, change.after)}
            for change in service.pending_diff(identity, resource, obj)]


def _selected_items() -> list[tuple[str, int]]:
    items = []
    for value in request.form.getlist("items"):
        resource, _sep, listing_id = value.partition(":")
        if listing_id.isdigit():
            items.append((resource, int(listing_id)))
    return items


@bp.route("/moderation", methods=["GET", "POST"])
@login_required
def queue():
    """What awaits review (or any status), filtered by resource, status and organisation; bulk decisions."""
    identity = current_identity()
    args, filter_errors = _args(QueueArgs, QUEUE_PER_PAGE)
    errors, code = {}, 200
    if request.method == "POST":
        try:
            results = service.moderate_items(identity, _selected_items(), request.form.get("decision", ""),
                                             request.form.get("reason"))
        except ValidationFailed as error:
            errors, code = error.errors, 422
        else:
            _flash_results(results)
            return redirect(request.full_path)
    rows, total = service.review_queue(
        identity, resources=[args["resource"]] if "resource" in args else None, status=args.get("status"),
        org_id=args.get("org"), page=args["page"], per_page=args["per_page"],
    )
    items = [{"resource": resource, "obj": obj, "changes": _changes(identity, resource, obj)} for resource, obj in rows]
    messages = {key: [str(m) for m in value] for key, value in {**filter_errors, **errors}.items()}
    return render_template(
        "moderation/queue.html", items=items, total=total, args=args, messages=messages,
        organisations=orgs.list_organisations(identity), resources=list(listing_services()),
        pages=max(1, -(-total // args["per_page"])), form=request.form,
    ), code


def _flash_results(results: list[dict]) -> None:
    done = [r for r in results if r["ok"]]
    failed = [r for r in results if not r["ok"]]
    if done:
        flash(_("%(n)s listing(s) decided.", n=len(done)), "success")
    for result in failed:
        flash(_("%(resource)s %(id)s was not decided: %(reason)s", resource=kind(result["resource"]).singular, id=result["id"],
                reason=str(result.get("message", ""))), "error")


@bp.route("/moderation/<resource>/<int:listing_id>", methods=["GET", "POST"])
@login_required
def review(resource, listing_id):
    """One listing under review: what it is (or what its pending edits change, field by field) and the decision
    form — approve, 整改 with reasons, reject; a missing reason is a message next to the reasons field."""
    identity = current_identity()
    obj = service.review_item(identity, resource, listing_id)
    errors, code = {}, 200
    if request.method == "POST":
        decision = request.form.get("decision", "")
        try:
            service.decide(identity, resource, listing_id, decision, request.form.get("reason"))
        except ValidationFailed as error:
            errors, code = error.errors, 422
        except Conflict as error:
            flash(str(error.message), "error")
            return redirect(url_for(".queue"))
        else:
            flash(_("%(resource)s “%(title)s”: %(decision)s.", resource=kind(resource).singular, title=obj.title,
                    decision=DECISIONS[decision]), "success")
            return redirect(url_for(".queue"))
    listing = listing_services()[resource].dump(identity, obj)
    fields = [{"label": display.field_label(resource, key), "value": display.shown(key, listing.get(key))}
              for key in display.form_labels(resource) if service.normalised(listing.get(key)) is not None]
    return render_template(
        "moderation/review.html", resource=resource, obj=obj, fields=fields, changes=_changes(identity, resource, obj),
        messages={key: [str(m) for m in value] for key, value in errors.items()}, form=request.form,
        updated=format_datetime(obj.updated_at),
    ), code


@bp.route("/audit")
@login_required
def audit():
    """The append-only audit log, newest first, filtered by action, object type and object id."""
    args, filter_errors = _args(AuditArgs, AUDIT_PER_PAGE)
    entries, total = service.audit_entries(current_identity(), **args)
    names = accounts.display_names(entry.actor_id for entry in entries)
    rows = [{"entry": entry, "actor": names.get(entry.actor_id, "–"), "action": audit_action_label(entry.action),
             "when": format_datetime(entry.created_at), "changes": _audit_changes(entry)}
            for entry in entries]
    return render_template("moderation/audit.html", rows=rows, total=total, args=args, actions=display.audit_actions(),
                           pages=max(1, -(-total // args["per_page"])),
                           messages={k: [str(m) for m in v] for k, v in filter_errors.items()})


def _audit_changes(entry) -> list[dict]:
    """Every field the decision changed, labelled and formatted."""
    return [{"label": display.field_label(entry.object_type, change.field),
             "before": display.shown(change.field, change.before), "after": display.shown(change.field, change.after)}
            for change in service.field_changes(entry.before, entry.after)]
