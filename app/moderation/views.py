"""Platform admins' moderation pages: the review queue with filters and bulk decisions, and the audit log.

Filters are loaded with the API's own query schemas, decisions go to the moderation service; the service
refuses anyone but platform admins (403).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from ..accounts import service as accounts
from ..errors import ValidationFailed
from ..identity import current_identity
from ..listings.registry import listing_services
from ..manage.forms import translate
from ..manage.labels import RESOURCE_SINGULAR
from ..orgs import service as orgs
from . import service
from .api import AuditArgs, QueueArgs

bp = Blueprint("moderation", __name__, url_prefix="/admin")
QUEUE_PER_PAGE = 30
AUDIT_PER_PAGE = 50
AUDIT_IGNORED = {"updated_at", "created_at"}  # every decision bumps these; not worth a line of the diff


def _args(schema_cls, per_page: int) -> tuple[dict, dict]:
    """The page's filters loaded by the API's schema (blank selects dropped), and messages for bad ones."""
    given = {key: value for key, value in request.args.items() if value.strip()}
    try:
        return schema_cls().load({"per_page": per_page, **given}), {}
    except ValidationError as error:
        return schema_cls().load({"per_page": per_page}), error.normalized_messages()


def _pending_changes(identity, resource: str, obj) -> dict:
    """Field → (published value, proposed value) for a published listing's edits awaiting review."""
    if not obj.pending_changes:
        return {}
    current = listing_services()[resource].dump(identity, obj)
    return {key: (current.get(key), value) for key, value in obj.pending_changes.items() if current.get(key) != value}


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
    items = [{"resource": resource, "obj": obj, "changes": _pending_changes(identity, resource, obj)}
             for resource, obj in rows]
    messages = {key: [translate(m) for m in value] for key, value in {**filter_errors, **errors}.items()}
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
        flash(_("%(resource)s %(id)s was not decided: %(reason)s", resource=RESOURCE_SINGULAR[result["resource"]], id=result["id"],
                reason=translate(result.get("message", ""))), "error")


@bp.route("/audit")
@login_required
def audit():
    """The append-only audit log, newest first, filtered by action, object type and object id."""
    args, filter_errors = _args(AuditArgs, AUDIT_PER_PAGE)
    entries, total = service.audit_entries(current_identity(), **args)
    names = accounts.display_names(entry.actor_id for entry in entries)
    rows = [{"entry": entry, "actor": names.get(entry.actor_id, "–"), "changes": _diff(entry.before, entry.after)}
            for entry in entries]
    return render_template("moderation/audit.html", rows=rows, total=total, args=args,
                           pages=max(1, -(-total // args["per_page"])),
                           messages={k: [translate(m) for m in v] for k, v in filter_errors.items()})


def _diff(before: dict | None, after: dict | None) -> list[tuple[str, object, object]]:
    """(field, before, after) for every field the decision changed."""
    before, after = before or {}, after or {}
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
            if key not in AUDIT_IGNORED and before.get(key) != after.get(key)]
