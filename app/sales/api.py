"""REST API of public sales: ``/api/v1/auctions`` (挂牌 listings and auctions) and ``/api/v1/open-licences``.

Both list and show sales to anyone; a logged-in organisation acts through the single action endpoint
(``POST …/<id>/actions/<action>``: 409 with ``current_status`` when the transition does not apply, 403 for a
role that may not run it, 404 for those who may only look, 422 naming bad fields). ``…/<id>/status`` is the small
JSON the auction room polls.
"""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.core.http import (
    API_PREFIX,
    PAGINATION_HEADERS,
    ApiErrorSchema,
    created,
    json_body,
    paginated,
    require_login,
    require_platform_admin,
)
from app.core.identity import current_identity
from app.core.input import api_input
from app.sales.models import SaleKind
from app.sales.schemas import MONEY, BidOutSchema, CreateSaleSchema, SaleListArgs, SaleSchema
from app.sales.service import sales_service

blp = Blueprint("sales_api", __name__, url_prefix=API_PREFIX,
                description="Public sales of patents: 挂牌 (fixed price, notice period), 竞价 (English auction with "
                            "deposits, reserve, increments and anti-sniping) and 开放许可 (open licences)")


class LiveSchema(Schema):
    """What the auction room refreshes: price, time left, bids and the reader's standing."""

    status = fields.Function(lambda s: s.status.value, metadata={"type": "string"})
    status_label = fields.String()
    current_price = fields.Function(lambda s: None if s.current_price is None else f"{s.current_price:.2f}",
                                    allow_none=True, metadata=MONEY)
    minimum_bid = fields.String(allow_none=True)
    ends_at = fields.DateTime(allow_none=True)
    seconds_left = fields.Integer(allow_none=True)
    version = fields.Integer()
    bids = fields.List(fields.Nested(BidOutSchema), attribute="bids_public")
    me = fields.Dict()


class ObjectionOutSchema(Schema):
    """An objection on the admin desk."""

    sale_id = fields.Integer()
    org = fields.Function(lambda p: p.org.name, metadata={"type": "string"})
    reason = fields.String(attribute="objection")
    objected_at = fields.DateTime()


def viewed(sale):
    """``sale`` with what the current reader may know of it, for its schema to serialise."""
    return sales_service.view(current_identity(), sale)


def sale_routes(resource: str, kinds: tuple[SaleKind, ...], doc: str):
    """The list, creation, item, live status and action routes of ``/api/v1/<resource>``."""
    prefix = "".join(part.title() for part in resource.split("-"))

    class Collection(MethodView):
        @blp.arguments(SaleListArgs, location="query")
        @blp.response(200, SaleSchema(many=True), headers=PAGINATION_HEADERS)
        def get(self, args):
            """Published sales, running ones first by their end (anyone may look)."""
            wanted = [kind for kind in kinds if args["kind"] in (None, kind.value)]
            rows, total = sales_service.list(current_identity(), kinds=wanted, running=args["open"],
                                             page=args["page"], per_page=args["per_page"])
            return paginated([viewed(row) for row in rows], total, args["page"], args["per_page"])

        @require_login
        @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": CreateSaleSchema}}})
        @blp.response(201, SaleSchema)
        @blp.alt_response(403, schema=ApiErrorSchema, description="Not an admin of the patent's owner")
        @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
        def post(self):
            sale = sales_service.create(current_identity(), json_body())
            return created(viewed(sale), url_for(f"{blp.name}.{prefix}Item", obj_id=sale.id))

    Collection.post.__doc__ = doc

    class Item(MethodView):
        @blp.response(200, SaleSchema)
        @blp.alt_response(404, schema=ApiErrorSchema, description="No such published sale")
        def get(self, obj_id):
            """One sale: price, terms, anonymised bid history, your standing and `next_actions`."""
            return viewed(sales_service.get(current_identity(), obj_id))

    class Live(MethodView):
        @blp.response(200, LiveSchema)
        @blp.alt_response(404, schema=ApiErrorSchema, description="No such published sale")
        def get(self, obj_id):
            """The auction room's polling endpoint."""
            identity = current_identity()
            return sales_service.view(identity, sales_service.get(identity, obj_id))

    class Action(MethodView):
        @require_login
        @blp.doc(requestBody={"description": "The action's input (see the item's `next_actions`)",
                              "content": {"application/json": {"schema": {"type": "object"}}}})
        @blp.response(200, SaleSchema)
        @blp.alt_response(403, schema=ApiErrorSchema, description="Your role may not run this action now")
        @blp.alt_response(404, schema=ApiErrorSchema, description="No such sale or action, or you may only look")
        @blp.alt_response(409, schema=ApiErrorSchema,
                          description="Not possible in the current status (`current_status` says which)")
        @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid input (fields named in `errors`)")
        def post(self, obj_id, action):
            """Run one action: `register_interest`, `raise_objection`, `register_bidder`, `place_bid`,
            `take_licence`, `close_licensing`, `withdraw`."""
            return viewed(sales_service.execute_action(current_identity(), obj_id, action, api_input()))

    for view, suffix in ((Collection, "Collection"), (Item, "Item"), (Live, "Live"), (Action, "Action")):
        view.__name__ = f"{prefix}{suffix}"
    blp.route(f"/{resource}")(Collection)
    blp.route(f"/{resource}/<int:obj_id>")(Item)
    blp.route(f"/{resource}/<int:obj_id>/status")(Live)
    blp.route(f"/{resource}/<int:obj_id>/actions/<action>")(Action)


sale_routes("auctions", (SaleKind.listing, SaleKind.auction),
            "Put a published patent up as a 挂牌 listing (`kind: listing`) or an auction (`kind: auction`).")
sale_routes("open-licences", (SaleKind.open_licence,),
            "Publish standard non-exclusive licence terms for a patent (`kind: open_licence`).")


@blp.route("/auctions/objections")
class Objections(MethodView):
    @require_platform_admin
    @blp.response(200, ObjectionOutSchema(many=True))
    def get(self):
        """Objections raised against 挂牌 listings (platform admins)."""
        return sales_service.objections(current_identity())
