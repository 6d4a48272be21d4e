"""REST API of in-app notifications: the logged-in user's inbox and marking items read."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.core.http import API_PREFIX, PAGINATION_HEADERS, ApiErrorSchema, PageArgs, paginated, require_login
from app.core.identity import current_identity
from app.notifications import service

blp = Blueprint("notifications_api", __name__, url_prefix=API_PREFIX, description="In-app notifications")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxArgs(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread notifications"})


class MarkedSchema(Schema):
    marked = fields.Integer(metadata={"description": "How many notifications changed to read"})


class MarkReadSchema(Schema):
    ids = fields.List(fields.Integer(), validate=validate.Length(min=1, max=500),
                      metadata={"description": "Notifications to mark read; omit to mark all"})


@blp.route("/notifications")
class Inbox(MethodView):
    @require_login
    @blp.arguments(InboxArgs, location="query")
    @blp.response(200, NotificationSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """The user's notifications, newest first; ``X-Unread-Count`` tells how many are unread."""
        rows, total, unread = service.inbox(current_identity(), unread_only=args["unread"], page=args["page"],
                                            per_page=args["per_page"])
        items, status, headers = paginated(rows, total, args["page"], args["per_page"])
        return items, status, {**headers, "X-Unread-Count": str(unread)}


@blp.route("/notifications/read")
class MarkRead(MethodView):
    @require_login
    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="An id is not one of the user's notifications")
    def post(self, args):
        """Mark the given notifications (or all) read; returns how many changed."""
        return {"marked": service.mark_read(current_identity(), args.get("ids"))}
