"""REST API of organisations: profiles, verification requests and the admins' verification queue."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.core.http import API_PREFIX, ApiErrorSchema, require_login, require_platform_admin
from app.core.identity import current_identity
from app.orgs import service
from app.orgs.schemas import OrganisationSchema, VerificationDecisionSchema, VerificationRequestSchema

blp = Blueprint("orgs_api", __name__, url_prefix=API_PREFIX, description="Organisations and their verification")


@blp.route("/orgs/<int:org_id>")
class Organisation(MethodView):
    @blp.response(200, service.response_schema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such organisation")
    def get(self, org_id):
        """An organisation's public profile (credit code only for its members and admins)."""
        identity = current_identity()
        return service.get(identity, org_id)


@blp.route("/orgs/<int:org_id>/verification")
class VerificationRequest(MethodView):
    @require_login
    @blp.arguments(VerificationRequestSchema)
    @blp.response(200, service.response_schema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Already verified, or the credit code is in use")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid credit code (`errors.credit_code`)")
    def post(self, args, org_id):
        """Ask for verification with the unified social credit code (统一社会信用代码; org admins)."""
        identity = current_identity()
        return service.request_verification(identity, args["credit_code"], org_id=org_id)


@blp.route("/admin/verifications")
class VerificationQueue(MethodView):
    @require_platform_admin
    @blp.response(200, OrganisationSchema(many=True, hide=service.hidden_from))
    def get(self):
        """Organisations waiting for a verification decision, oldest first (platform admins)."""
        return service.pending_verifications(current_identity())


@blp.route("/admin/verifications/<int:org_id>")
class VerificationDecision(MethodView):
    @require_platform_admin
    @blp.arguments(VerificationDecisionSchema)
    @blp.response(200, service.response_schema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Missing reason for a rejection, or no credit code")
    def post(self, args, org_id):
        """Verify or reject an organisation (`decision`: verify / reject with `reason`); audited."""
        return service.decide_verification(current_identity(), org_id, args["decision"], args["reason"])
