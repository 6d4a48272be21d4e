"""REST API of deals: ``/api/v1/deals`` (list, open), one deal with its timeline and next actions, the action
endpoint, offers, the message thread, documents, the patents as the NDA lets you see them, the contract PDF and
the registration export (JSON, CSV)."""
from __future__ import annotations

import io

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.core.http import API_PREFIX, ApiErrorSchema, created, json_body, require_login
from app.core.identity import current_identity
from app.core.input import api_input
from app.deals.registration import registration_csv
from app.deals.schemas import CreateDealSchema, DealSchema, MessageSchema, OfferSchema, OfferTermsSchema
from app.deals.service import deals_service
from app.patents.attachments import file_path
from app.transactions.resource import send_pdf, workflow_routes

blp = Blueprint("deals_api", __name__, url_prefix=API_PREFIX,
                description="Deals: inquiry → NDA → offers → pilot test → inspection → contract → payment → completion")

DEAL_VIEW = workflow_routes(
    blp, deals_service, resource="deals", schema=DealSchema(), create_schema=CreateDealSchema,
    create_doc="Open a deal as the buyer: an inquiry on a published patent (`patent_id`, or `patent_ids` for a "
               "bundle of one seller's patents), optionally from your demand (`demand_id`) or one of its matches "
               "(`match_id`). 409 when your organisation has an open deal on the patent already.",
)


@blp.route("/deals/<int:obj_id>/offers")
class Offers(MethodView):
    @require_login
    @blp.response(200, OfferSchema(many=True))
    def get(self, obj_id):
        """Every offer and counter-offer, oldest first (`status`: open, superseded, accepted, withdrawn)."""
        return deals_service.offers(current_identity(), obj_id)

    @require_login
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": OfferTermsSchema}}})
    @blp.response(201, DEAL_VIEW)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The deal is not in negotiation")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid terms (fields named in `errors`)")
    def post(self, obj_id):
        """Make an offer, or a counter-offer replacing the other side's (the `make_offer` action)."""
        deal = deals_service.execute_action(current_identity(), obj_id, "make_offer", json_body())
        return created(deal, f"{API_PREFIX}/deals/{deal.id}/offers")


@blp.route("/deals/<int:obj_id>/messages")
class Messages(MethodView):
    @require_login
    @blp.response(200, MessageSchema(many=True))
    def get(self, obj_id):
        """The deal's thread, oldest first (parties and platform admins)."""
        return deals_service.messages(current_identity(), obj_id)

    @require_login
    @blp.doc(requestBody={
        "required": True, "description": "JSON, or multipart/form-data with PDF `files` (bearer-token clients only)",
        "content": {
            "application/json": {"schema": MessageSchema},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "body": {"type": "string"},
                "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
        },
    })
    @blp.response(201, MessageSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Empty body, or an attachment that is not a PDF")
    def post(self, obj_id):
        """Post a message; the other party is notified."""
        data = api_input()
        files = request.files.getlist("files") if request.mimetype == "multipart/form-data" else []
        body = data.get("body") if isinstance(data, dict) else None
        message = deals_service.post_message(current_identity(), obj_id, body if isinstance(body, str) else "",
                                             files)
        return created(message, f"{API_PREFIX}/deals/{obj_id}/messages")


@blp.route("/deals/<int:obj_id>/patents")
class Patents(MethodView):
    @require_login
    @blp.response(200)
    def get(self, obj_id):
        """The deal's patents; confidential fields and attachments for the buyer once the NDA is in force."""
        identity = current_identity()
        return deals_service.patents_of(identity, deals_service.get(identity, obj_id))


@blp.route("/deals/<int:obj_id>/patent-attachments/<int:attachment_id>")
class PatentAttachment(MethodView):
    @require_login
    @blp.response(200, content_type="application/pdf", description="The PDF")
    @blp.alt_response(404, schema=ApiErrorSchema, description="Missing, or confidential before the NDA")
    def get(self, obj_id, attachment_id):
        """Download an attachment of the deal's patents (confidential ones after the NDA)."""
        attachment = deals_service.patent_attachment(current_identity(), obj_id, attachment_id)
        return send_pdf(file_path(attachment), attachment.filename)


@blp.route("/deals/<int:obj_id>/contract.pdf")
class ContractPdf(MethodView):
    @require_login
    @blp.response(200, content_type="application/pdf", description="The contract with its registration data")
    @blp.alt_response(409, schema=ApiErrorSchema, description="No contract generated yet")
    def get(self, obj_id):
        """The contract generated from the agreed terms, with signatures, approval and registration data."""
        deal, pdf = deals_service.contract_pdf(current_identity(), obj_id)
        return send_pdf(io.BytesIO(pdf), f"{deal.contract['number']}.pdf", inline=True)


@blp.route("/deals/<int:obj_id>/registration.json")
class RegistrationJson(MethodView):
    @require_login
    @blp.response(200)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The deal is not completed")
    def get(self, obj_id):
        """The technology-contract registration (技术合同认定登记) record of a completed deal."""
        return deals_service.registration(current_identity(), obj_id)[1]


@blp.route("/deals/<int:obj_id>/registration.csv")
class RegistrationCsv(MethodView):
    @require_login
    @blp.response(200, content_type="text/csv", description="One header line and one data line, UTF-8 with BOM")
    @blp.alt_response(409, schema=ApiErrorSchema, description="The deal is not completed")
    def get(self, obj_id):
        """The registration record as CSV (for spreadsheets and the registration office's import)."""
        deal, record = deals_service.registration(current_identity(), obj_id)
        return Response(registration_csv(record), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename=registration-{record['contract_number']}.csv"})
