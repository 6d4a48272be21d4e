"""REST API of calls for solutions under ``/api/v1/calls``: the public list and page of a call, creation, the
NDA, the call's actions (moderation, award, closing), and the sealed proposals (``/api/v1/calls/proposals``:
the engine's generic routes, plus a call's proposals for its evaluation and each proposal's thread)."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.calls.models import CallStatus
from app.calls.schemas import (
    CallDetailSchema,
    CallInputSchema,
    CallNdaSchema,
    CallSchema,
    CreateProposalSchema,
    ProposalMessageInputSchema,
    ProposalMessageSchema,
    ProposalSchema,
)
from app.calls.service import calls_service, proposals_service
from app.core.http import (
    API_PREFIX,
    PAGINATION_HEADERS,
    ApiErrorSchema,
    PageArgs,
    created,
    json_body,
    paginated,
    require_login,
)
from app.core.identity import current_identity
from app.transactions.resource import workflow_routes

blp = Blueprint("calls_api", __name__, url_prefix=f"{API_PREFIX}/calls",
                description="Calls for solutions (揭榜): an enterprise's problem with a budget and a deadline; "
                            "sealed proposals from universities and institutes; evaluation and award, which opens "
                            "a commissioned-development deal")


class CallListArgs(PageArgs):
    """Filters of the call list; everyone only gets the calls the policy lets them read."""

    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Words of the title or text"})
    industry = fields.String(validate=validate.Length(max=64))
    region = fields.String(validate=validate.Length(max=64))
    status = fields.String(validate=validate.OneOf([s.value for s in CallStatus]))
    open = fields.Boolean(load_default=False, metadata={"description": "Only calls still taking proposals"})
    mine = fields.Boolean(load_default=False, metadata={"description": "Only my organisation's calls"})


class ProposalListArgs(PageArgs):
    """A call's proposals (for its enterprise after the deadline, the platform, or one's own)."""


def viewed(call):
    """One call as the reader may see it (its fields depend on the NDA and the reader's role), for
    :class:`CallDetailSchema`."""
    return calls_service.view(current_identity(), call)


@blp.route("")
class Calls(MethodView):
    @blp.arguments(CallListArgs, location="query")
    @blp.response(200, CallSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """Published calls (and, for their enterprise and the platform, unpublished ones), soonest deadline
        first."""
        rows, total = calls_service.search(
            current_identity(), q=args.get("q"), industry=args.get("industry"), region=args.get("region"),
            status=args.get("status"), open_only=args["open"], mine=args["mine"], page=args["page"],
            per_page=args["per_page"])
        return paginated(rows, total, args["page"], args["per_page"])

    @require_login
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": CallInputSchema}}})
    @blp.response(201, CallDetailSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Only enterprises publish calls")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
    def post(self):
        """Write a call (from one of your published demands with `demand_id`, or blank); a platform admin
        publishes it."""
        call = calls_service.create(current_identity(), json_body())
        return created(viewed(call), url_for("calls_api.CallItem", call_id=call.id))


@blp.route("/<int:call_id>")
class CallItem(MethodView):
    @blp.response(200, CallDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="Missing or unpublished and not yours")
    def get(self, call_id):
        """One call; a confidential call's `details` stay null until you accepted its NDA."""
        return viewed(calls_service.get(current_identity(), call_id))


@blp.route("/<int:call_id>/nda")
class CallNdaResource(MethodView):
    @require_login
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": CallNdaSchema}}})
    @blp.response(200, CallDetailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The call is not confidential")
    @blp.alt_response(422, schema=ApiErrorSchema, description="`agree` must be true")
    def post(self, call_id):
        """Accept a confidential call's NDA for your organisation; the full problem becomes readable."""
        identity = current_identity()
        calls_service.accept_nda(identity, call_id, json_body())
        return viewed(calls_service.get(identity, call_id))


@blp.route("/<int:call_id>/actions/<action>")
class CallAction(MethodView):
    @require_login
    @blp.doc(requestBody={"description": "The action's input (`reason`; `proposal_id` for `award`; the call's "
                                         "fields for `resubmit`)",
                          "content": {"application/json": {"schema": {"type": "object"}}}})
    @blp.response(200, CallDetailSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Your role may not run this action")
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such call or action")
    @blp.alt_response(409, schema=ApiErrorSchema, description="Not possible now (`current_status` says why)")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid input (fields named in `errors`)")
    def post(self, call_id, action):
        """Run a call action: `approve`, `request_revision`, `reject` (platform admins); `resubmit`, `withdraw`,
        `award` (after the deadline), `close` (the enterprise)."""
        return viewed(calls_service.execute_action(current_identity(), call_id, action, json_body()))


@blp.route("/<int:call_id>/proposals")
class CallProposals(MethodView):
    @require_login
    @blp.arguments(ProposalListArgs, location="query")
    @blp.response(200, ProposalSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, call_id):
        """The call's proposals you may read: sealed until the deadline (then its enterprise reads them all)."""
        identity = current_identity()
        calls_service.get(identity, call_id)
        rows, total = proposals_service.list(identity, call_id=call_id, page=args["page"],
                                             per_page=args["per_page"], everyone=True)
        return paginated(rows, total, args["page"], args["per_page"])


workflow_routes(
    blp, proposals_service, resource="proposals", schema=ProposalSchema(), create_schema=CreateProposalSchema,
    create_doc="Propose to a published call (`call_id`) before its deadline, as an eligible university or "
               "institute. Attach PDFs with the `revise` action (multipart/form-data with a bearer token, file "
               "field `attachment`).",
)


@blp.route("/proposals/<int:obj_id>/messages")
class ProposalMessages(MethodView):
    @require_login
    @blp.response(200, ProposalMessageSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema, description="Missing, sealed or not yours")
    def get(self, obj_id):
        """The thread between the enterprise and the proposer, oldest first."""
        return proposals_service.messages(current_identity(), obj_id)

    @require_login
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": ProposalMessageInputSchema}}})
    @blp.response(201, ProposalMessageSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Questions open after the deadline")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
    def post(self, obj_id):
        """Ask or answer (`reply_to_id` threads the answer); the other side is told."""
        message = proposals_service.post_message(current_identity(), obj_id, json_body())
        return created(message, url_for("calls_api.ProposalMessages", obj_id=obj_id))
