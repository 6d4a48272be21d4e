"""ONE generic REST API for every listing kind.

``listing_blueprint(service)`` builds the whole API of a listing resource (patents, demands, service
offers) from its :class:`~app.listings.service.ListingService`: list, create, read, update, delete,
submit and withdraw. Resources stay thin: they parse input, call one service method and render the
object: the service's response schema, declared with ``@blp.response``, serialises it (and leaves out the
confidential fields for readers not allowed them).
"""
from __future__ import annotations

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.core.http import (
    API_PREFIX,
    PAGINATION_HEADERS,
    ApiErrorSchema,
    PageArgs,
    created,
    documents_body,
    json_body,
    paginated,
    require_login,
)
from app.core.identity import current_identity
from app.core.routing import MAX_DB_INT
from app.listings.models import ListingStatus


class ListingQueryArgs(PageArgs):
    """Filters of a listing collection; everyone only ever gets the rows the policy lets them read."""

    status = fields.String(
        validate=validate.OneOf([s.value for s in ListingStatus]),
        metadata={"description": "Moderation status; others' non-published listings never match"},
    )
    org = fields.Integer(validate=validate.Range(min=1, max=MAX_DB_INT), metadata={"description": "Owning organisation id"})
    mine = fields.Boolean(load_default=False, metadata={"description": "Only my organisation's listings"})



def listing_blueprint(service, *, name: str, description: str) -> Blueprint:
    """The REST API of one listing resource, all routes under ``/api/v1/<service.resource>``."""
    blp = Blueprint(name, __name__, url_prefix=API_PREFIX, description=description)
    schema_cls = service.schema_cls
    one, many = service.response_schema, service.response_schemas
    label = service.resource
    item_endpoint = f"{name}.{label.title()}Item"

    def item_url(obj) -> str:
        return url_for(item_endpoint, listing_id=obj.id)

    class Collection(MethodView):
        @blp.arguments(ListingQueryArgs, location="query")
        @blp.response(200, many, headers=PAGINATION_HEADERS)
        def get(self, args):
            """List the listings you may read (published ones; your organisation's in any state)."""
            identity = current_identity()
            items, total = service.list(
                identity, mine=args["mine"], status=args.get("status"), org_id=args.get("org"),
                page=args["page"], per_page=args["per_page"],
            )
            return paginated(items, total, args["page"], args["per_page"])

        @require_login
        @documents_body(blp, schema_cls)
        @blp.response(201, one)
        @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
        def post(self):
            """Create a draft owned by your organisation."""
            obj = service.create(current_identity(), json_body())
            return created(obj, item_url(obj))

    class Item(MethodView):
        @blp.response(200, one)
        @blp.alt_response(404, schema=ApiErrorSchema, description="Missing or not visible to you")
        def get(self, listing_id):
            """One listing; confidential fields only for its organisation and platform admins."""
            return service.get(current_identity(), listing_id)

        @require_login
        @documents_body(blp, schema_cls, partial=True)
        @blp.response(200, one)
        @blp.alt_response(409, schema=ApiErrorSchema, description="The listing's status forbids edits")
        def patch(self, listing_id):
            """Edit fields; edits to a published listing wait for review in `has_pending_changes`."""
            return service.update(current_identity(), listing_id, json_body())

        @require_login
        @blp.response(204)
        def delete(self, listing_id):
            """Delete a draft, withdrawn or rejected listing (organisation admins)."""
            service.delete(current_identity(), listing_id)
            return Response(status=204)

    def transition(method_name: str, doc: str):
        """A POST endpoint running one status transition of the service."""

        @require_login
        @blp.response(200, one)
        @blp.alt_response(409, schema=ApiErrorSchema, description="Not allowed from the current status")
        def post(self, listing_id):
            return getattr(service, method_name)(current_identity(), listing_id)

        post.__doc__ = doc
        return type(f"{label.title()}{method_name.title()}", (MethodView,), {"post": post})

    # Distinct class names give distinct endpoint names (flask-smorest names endpoints after the view).
    Collection.__name__ = f"{label.title()}Collection"
    Item.__name__ = f"{label.title()}Item"
    blp.route(f"/{label}")(Collection)
    blp.route(f"/{label}/<int:listing_id>")(Item)
    blp.route(f"/{label}/<int:listing_id>/submit")(
        transition("submit", "Send to review (your organisation must be verified).")
    )
    blp.route(f"/{label}/<int:listing_id>/withdraw")(transition("withdraw", "Take off the market."))
    return blp
