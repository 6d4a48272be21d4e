"""REST API of an organisation's members: list, add by e-mail (invitation), change a role, remove."""
from __future__ import annotations

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from app.core.http import API_PREFIX, ApiErrorSchema, created, documents_body, json_body, require_login
from app.core.identity import current_identity
from app.members import service
from app.members.schemas import MemberSchema, RoleSchema

blp = Blueprint("members_api", __name__, url_prefix=API_PREFIX,
                description="Members of an organisation (its admins add, re-role and remove them)")


@blp.route("/orgs/<int:org_id>/members")
class Members(MethodView):
    @require_login
    @blp.response(200, MemberSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such organisation, or not yours")
    def get(self, org_id):
        """The organisation's active members (its own people and platform admins)."""
        return service.list_members(current_identity(), org_id)

    @require_login
    @documents_body(blp, MemberSchema)
    @blp.response(201, MemberSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not an admin of the organisation")
    @blp.alt_response(409, schema=ApiErrorSchema, description="The e-mail is already a member here or elsewhere")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
    def post(self, org_id):
        """Add a colleague by e-mail with a role; a new person is e-mailed an invitation to set a password."""
        user = service.add_member(current_identity(), org_id, json_body())
        return created(user, url_for("members_api.Members", org_id=org_id))


@blp.route("/orgs/<int:org_id>/members/<int:user_id>")
class Member(MethodView):
    @require_login
    @documents_body(blp, RoleSchema)
    @blp.response(200, MemberSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="The organisation would lose its last admin")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Unknown role")
    def patch(self, org_id, user_id):
        """Change a member's role (`member`, `broker`, `org_admin`)."""
        return service.change_role(current_identity(), org_id, user_id, json_body())

    @require_login
    @blp.response(204)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Yourself, or the last admin")
    def delete(self, org_id, user_id):
        """Remove a member (their account is deactivated; they are told by e-mail)."""
        service.remove_member(current_identity(), org_id, user_id)
        return Response(status=204)
