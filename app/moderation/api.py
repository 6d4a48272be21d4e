"""REST API of moderation (platform admins): the review queue, bulk decisions and the audit log."""
from __future__ import annotations

from datetime import UTC

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from app.core.http import (
    API_PREFIX,
    PAGINATION_HEADERS,
    ApiErrorSchema,
    PageArgs,
    paginated,
    require_platform_admin,
)
from app.core.identity import current_identity
from app.listings.models import ListingStatus
from app.listings.registry import ListingField, validate_resource
from app.moderation import service

blp = Blueprint("moderation_api", __name__, url_prefix=f"{API_PREFIX}/admin",
                description="Moderation queue, bulk decisions and the append-only audit log (platform admins)")
DECISIONS = ["approve", "revise", "reject"]


class QueueArgs(PageArgs):
    resource = fields.String(validate=validate_resource, metadata={"description": "Default: every kind"})
    status = fields.String(
        validate=validate.OneOf([s.value for s in ListingStatus]),
        metadata={"description": "Default: what awaits review (pending, or published with pending edits)"},
    )
    org = fields.Integer(validate=validate.Range(min=1))


class QueueItemSchema(Schema):
    """A queued listing: its resource name and the listing as its own response schema dumps it."""

    resource = fields.String()
    listing = ListingField()

    @pre_dump
    def _from_pair(self, row, **kwargs):
        resource, listing = row  # the review queue's (resource, listing) pairs
        return {"resource": resource, "listing": listing}


class BulkDecisionSchema(Schema):
    """One decision for many listings of one resource."""

    resource = fields.String(required=True, validate=validate_resource)
    ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                      validate=validate.Length(min=1, max=500))
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _reason_for_refusals(self, data, **kwargs):
        # Checked for the whole batch up front so a missing reason writes nothing at all.
        if data.get("decision") in ("revise", "reject") and not (data.get("reason") or "").strip():
            raise ValidationError([_l("Give a reason.")], "reason")


class BulkResultSchema(Schema):
    id = fields.Integer()
    ok = fields.Boolean()
    status = fields.String(metadata={"description": "New status (ok) or error name (not ok)"})
    code = fields.Integer(metadata={"description": "HTTP status the single decision would have had"})
    message = fields.String()
    current_status = fields.String()


class AuditArgs(PageArgs):
    action = fields.String(metadata={"description": "e.g. patents.approve, organisation.verify"})
    object_type = fields.String(metadata={"description": "patents, demands, services or organisation"})
    object_id = fields.Integer()
    actor_id = fields.Integer()
    since = fields.AwareDateTime(default_timezone=UTC, metadata={"description": "ISO 8601 (UTC unless given), inclusive"})
    until = fields.AwareDateTime(default_timezone=UTC, metadata={"description": "ISO 8601 (UTC unless given), exclusive"})


class AuditEntrySchema(Schema):
    id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)  # none for system actions (imports, expiry)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer()
    reason = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    created_at = fields.DateTime()


@blp.route("/moderation")
class Queue(MethodView):
    @require_platform_admin
    @blp.arguments(QueueArgs, location="query")
    @blp.response(200, QueueItemSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """The review queue, filtered by resource, status and organisation."""
        rows, total = service.review_queue(
            current_identity(), resources=[args["resource"]] if "resource" in args else None, status=args.get("status"),
            org_id=args.get("org"), page=args["page"], per_page=args["per_page"],
        )
        return paginated(rows, total, args["page"], args["per_page"])


@blp.route("/moderation/bulk")
class Bulk(MethodView):
    @require_platform_admin
    @blp.arguments(BulkDecisionSchema)
    @blp.response(200, BulkResultSchema(many=True))
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid decision, ids or missing reason")
    def post(self, args):
        """Approve, send back for revision (整改) or reject many listings; one result per id."""
        return service.bulk_moderate(current_identity(), args["resource"], args["ids"], args["decision"], args["reason"])


@blp.route("/audit")
class Audit(MethodView):
    @require_platform_admin
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditEntrySchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """The append-only audit log of moderation and verification decisions, newest first."""
        entries, total = service.audit_entries(current_identity(), **args)
        return paginated(entries, total, args["page"], args["per_page"])
