"""REST API of accounts: registration, API tokens and the current user (``/api/v1/auth``, ``/api/v1/me``)."""
from __future__ import annotations

from flask import Response, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from app.accounts import service
from app.accounts.auth import token_digest
from app.accounts.models import ApiToken
from app.accounts.schemas import RegistrationSchema, TokenRequestSchema, UserSchema
from app.core.extensions import db
from app.core.http import (
    API_PREFIX,
    ApiErrorSchema,
    NotAuthenticated,
    created,
    documents_body,
    json_body,
    require_login,
)
from app.core.identity import current_identity
from app.core.models import as_utc
from app.orgs.service import response_schema as organisation_schema
from app.security.limits import credential_limits

blp = Blueprint("accounts_api", __name__, url_prefix=API_PREFIX, description="Registration, API tokens, current user")


class TokenSchema(Schema):
    """A new API token: the secret is shown once, only its digest is stored."""

    id = fields.Integer()
    name = fields.String()
    token = fields.String(metadata={"description": "Send as `Authorization: Bearer <token>`"})
    expires_at = fields.DateTime(metadata={"description": "After this moment the token is refused (API_TOKEN_DAYS)"})


class MeSchema(UserSchema):
    """The current user with their organisation."""

    organisation = fields.Nested(organisation_schema)


class RegistrationAcceptedSchema(Schema):
    """The answer to a registration: the same whether the e-mail address was new or not."""

    message = fields.String()


@blp.route("/auth/register")
class Register(MethodView):
    decorators = [credential_limits("REGISTER_RATE_LIMIT")]

    @documents_body(blp, RegistrationSchema)
    @blp.response(202, RegistrationAcceptedSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="Organisation name taken")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
    @blp.alt_response(429, schema=ApiErrorSchema, description="Too many registrations (REGISTER_RATE_LIMIT)")
    def post(self):
        """Register a user with a new organisation (they become its unverified org admin).

        The answer does not say whether the e-mail address already had an account (an e-mail to the
        address does): then get a token with `POST /auth/tokens`.
        """
        service.register(json_body())
        return {"message": "Registration received: an e-mail to the address tells how to log in."}


@blp.route("/auth/tokens")
class Tokens(MethodView):
    decorators = [credential_limits()]

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, schema=ApiErrorSchema, description="Wrong e-mail or password")
    @blp.alt_response(429, schema=ApiErrorSchema, description="Too many attempts (LOGIN_RATE_LIMIT)")
    def post(self, args):
        """Exchange e-mail and password for a bearer token (rate limited per client address)."""
        user = service.authenticate(args["email"], args["password"])
        if user is None:
            raise NotAuthenticated("wrong e-mail or password")
        token = service.create_token(user, args["name"])
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == token_digest(token)))
        return created({"id": row.id, "name": args["name"], "token": token, "expires_at": as_utc(row.expires_at)},
                       url_for("accounts_api.Me"))


@blp.route("/auth/tokens/<int:token_id>")
class Token(MethodView):
    @require_login
    @blp.response(204)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not your token")
    def delete(self, token_id):
        """Revoke one of your tokens."""
        service.revoke_token(current_identity(), token_id)
        return Response(status=204)


@blp.route("/me")
class Me(MethodView):
    @require_login
    @blp.response(200, MeSchema)
    def get(self):
        """Who you are, with your organisation (including its verification status)."""
        return current_user
