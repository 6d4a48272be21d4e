"""REST routes every workflow resource has (deals, service orders), built once from its service.

``workflow_routes`` adds to a blueprint: the caller's list (``GET /<resource>``), creation (``POST``), one item
with its events, its payment and the caller's ``next_actions`` (``GET /<resource>/<id>``), the single action
endpoint (``POST /<resource>/<id>/actions/<action>``: 409 with ``current_status`` when the transition does not
apply) and document downloads. Resources stay thin: they parse input, call one service method and return the
subject; its view schema (:func:`response_schema`), declared with ``@blp.response``, serialises it with what
depends on the reader.
"""
from __future__ import annotations

from functools import cache

from flask import send_file, url_for
from flask.views import MethodView
from marshmallow import Schema, fields, pre_dump, validate

from app.core.http import (
    PAGINATION_HEADERS,
    ApiErrorSchema,
    PageArgs,
    created,
    json_body,
    paginated,
    require_login,
)
from app.core.identity import current_identity
from app.core.input import api_input
from app.core.workflow import ActionSchema, EventSchema
from app.payments import service as payments


class WorkflowListArgs(PageArgs):
    """Filters of a workflow list: statuses, and (platform admins) everyone's instead of one's own."""

    status = fields.List(fields.String(validate=validate.Length(max=32)), load_default=list,
                         metadata={"description": "Only these statuses (repeat the parameter)"})
    everyone = fields.Boolean(load_default=False, metadata={"description": "Platform admins: all organisations'"})


class PaymentSummarySchema(Schema):
    """The payment that counts for a deal or order, as its parties see it."""

    id = fields.Integer()
    status = fields.Function(lambda p: p.status.value)
    provider = fields.String()
    amount = fields.Integer(metadata={"description": "Seller's share, minor units (fen)"})
    fee = fields.Integer(metadata={"description": "Platform fee, minor units (fen)"})
    total = fields.Integer()
    currency = fields.String()
    refunded_amount = fields.Integer()
    pay_url = fields.Function(lambda p: url_for("payments.pay", payment_id=p.id))


class SubjectExtrasSchema(Schema):
    """What a subject's view adds to its own fields (they depend on the reader, not only the row)."""

    status_label = fields.String(metadata={"description": "The status in the reader's language"})
    events = fields.List(fields.Nested(EventSchema), metadata={"description": "The timeline, oldest first"})
    payment = fields.Nested(PaymentSummarySchema, allow_none=True)
    next_actions = fields.List(fields.Nested(ActionSchema), metadata={"description": "What the reader may do now"})


class _Viewed:
    """A subject seen by one reader: its own attributes plus the reader-dependent extras."""

    def __init__(self, subject, **extras):
        self._subject = subject
        self.__dict__.update(extras)

    def __getattr__(self, name):
        return getattr(self._subject, name)


class _SubjectView(SubjectExtrasSchema):
    """Gathers the extras of a subject for the request's identity before the fields dump them."""

    service = None  # the workflow service, set on each view class

    @pre_dump
    def _with_extras(self, subject, **kwargs):
        service, identity = self.service, current_identity()
        return _Viewed(subject, status_label=str(service.status_label(subject.status)),
                       events=service.events_of(subject), payment=payments.payment_of(subject),
                       next_actions=service.next_actions(identity, subject))


@cache  # one class per subject: OpenAPI names one component after it
def response_schema(service, schema_cls: type[Schema]) -> type[Schema]:
    """The API response of ``service``'s subjects: ``schema_cls``'s fields plus :class:`SubjectExtrasSchema`'s,
    the extras gathered for the reader when dumped."""
    name = schema_cls.__name__.removesuffix("Schema") + "ViewSchema"
    return type(name, (schema_cls, _SubjectView), {"__doc__": schema_cls.__doc__, "service": service})


def send_pdf(path, filename: str, *, inline: bool = False):
    """A stored or generated PDF as a private download."""
    response = send_file(path, mimetype="application/pdf", as_attachment=not inline, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def workflow_routes(blp, service, *, resource: str, schema, create_doc: str, create_schema):
    """Add the shared routes of workflow ``resource`` (a URL segment) to ``blp``; return the response schema."""
    prefix = "".join(part.title() for part in resource.split("-"))
    item_endpoint = f"{blp.name}.{prefix}Item"
    documented = response_schema(service, type(schema))

    class Collection(MethodView):
        @require_login
        @blp.arguments(WorkflowListArgs, location="query")
        @blp.response(200, documented(many=True), headers=PAGINATION_HEADERS)
        def get(self, args):
            """Your organisation's, newest change first (platform admins: everyone's with `everyone=true`)."""
            rows, total = service.list(current_identity(), statuses=args["status"] or None, page=args["page"],
                                       per_page=args["per_page"], everyone=args["everyone"])
            return paginated(rows, total, args["page"], args["per_page"])

        @require_login
        @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": create_schema}}})
        @blp.response(201, documented)
        @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
        @blp.alt_response(409, schema=ApiErrorSchema, description="An open one exists already")
        def post(self):
            obj = service.create(current_identity(), json_body())
            return created(obj, url_for(item_endpoint, obj_id=obj.id))

    Collection.post.__doc__ = create_doc

    class Item(MethodView):
        @require_login
        @blp.response(200, documented)
        @blp.alt_response(404, schema=ApiErrorSchema, description="Missing, or you are not a party")
        def get(self, obj_id):
            """One item with its events (the timeline), its payment and `next_actions` for you."""
            return service.get(current_identity(), obj_id)

    class Action(MethodView):
        @require_login
        @blp.doc(requestBody={
            "description": "The action's input: JSON, or multipart/form-data for uploads (bearer-token clients only)",
            "content": {"application/json": {"schema": {"type": "object"}},
                        "multipart/form-data": {"schema": {"type": "object"}}},
        })
        @blp.response(200, documented)
        @blp.alt_response(403, schema=ApiErrorSchema, description="Your role may not run this action now")
        @blp.alt_response(404, schema=ApiErrorSchema, description="Not yours, or no such action")
        @blp.alt_response(409, schema=ApiErrorSchema,
                          description="Not possible in the current status (`current_status` says which)")
        @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid input (fields named in `errors`)")
        def post(self, obj_id, action):
            """Run one workflow action (its input fields are listed in the item's `next_actions`)."""
            return service.execute_action(current_identity(), obj_id, action, api_input())

    class Document(MethodView):
        @require_login
        @blp.response(200, content_type="application/pdf", description="The PDF")
        @blp.alt_response(404, schema=ApiErrorSchema, description="Missing or not yours")
        def get(self, obj_id, document_id):
            """Download a document (a message attachment, an inspection or service report)."""
            document, path = service.document(current_identity(), obj_id, document_id)
            return send_pdf(path, document.filename)

    for view, suffix in ((Collection, "Collection"), (Item, "Item"), (Action, "Action"), (Document, "Document")):
        view.__name__ = f"{prefix}{suffix}"  # flask-smorest names endpoints after the view class
    blp.route(f"/{resource}")(Collection)
    blp.route(f"/{resource}/<int:obj_id>")(Item)
    blp.route(f"/{resource}/<int:obj_id>/actions/<action>")(Action)
    blp.route(f"/{resource}/<int:obj_id>/documents/<int:document_id>")(Document)
    return documented
