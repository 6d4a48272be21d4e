"""REST API of payment schedules: ``/api/v1/schedule-items`` (the workflow routes: list, one item with its
timeline and next actions, the action endpoint, documents), ``/api/v1/deals/{id}/schedule`` and the revenue
distribution of institutions (``/api/v1/distribution/rules``, ``/statements``, ``/statements.csv``)."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.core.http import API_PREFIX, ApiErrorSchema, json_body, require_login
from app.core.identity import current_identity
from app.core.spreadsheet import MIME
from app.schedules import distribution
from app.schedules.schemas import DealScheduleSchema, OrgArgs, RuleOutSchema, ScheduleItemSchema, StatementSchema
from app.schedules.service import schedule_service
from app.transactions.resource import workflow_routes

blp = Blueprint("schedules_api", __name__, url_prefix=API_PREFIX,
                description="Payment schedules after signing (upfront fee, instalments, milestones, royalty reports, "
                            "minimum-royalty shortfalls) and the revenue distribution of institutions")

workflow_routes(
    blp, schedule_service, resource="schedule-items", schema=ScheduleItemSchema(),
    create_schema=ScheduleItemSchema,
    create_doc="Not available: a deal's schedule items are created when its contract (with `payment_plan: "
               "schedule`) is approved. Always 403.",
)


@blp.route("/deals/<int:deal_id>/schedule")
class DealSchedule(MethodView):
    @require_login
    @blp.response(200, DealScheduleSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="Missing, or you are not a party")
    def get(self, deal_id):
        """The deal's payment schedule: items, royalty years with late reports and shortfalls, totals."""
        return schedule_service.schedule(current_identity(), deal_id)


@blp.route("/distribution/rules")
class Rules(MethodView):
    @require_login
    @blp.arguments(OrgArgs, location="query")
    @blp.response(200, RuleOutSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not your organisation")
    def get(self, args):
        """The organisation's distribution rules: the default first, then per patent."""
        return distribution.rules(current_identity(), args["org_id"])

    @require_login
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": distribution.RuleSchema}}})
    @blp.response(200, RuleOutSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not an institution's admin")
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid fields (named in `errors`)")
    def put(self):
        """Set the default rule (no `patent_id`) or one patent's; the shares must sum to 100%."""
        return distribution.set_rule(current_identity(), json_body())


@blp.route("/distribution/statements")
class Statements(MethodView):
    @require_login
    @blp.arguments(OrgArgs, location="query")
    @blp.response(200, StatementSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not your organisation")
    def get(self, args):
        """Every distribution statement of the organisation, oldest first."""
        return distribution.statements(current_identity(), args["org_id"])


@blp.route("/distribution/statements.csv")
class StatementsCsv(MethodView):
    @require_login
    @blp.arguments(OrgArgs, location="query")
    @blp.response(200, content_type="text/csv", description="The statements for the finance office")
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not your organisation")
    def get(self, args):
        """The statements as CSV (UTF-8 with BOM; headers and labels in the caller's language)."""
        return _export("csv", args)


@blp.route("/distribution/statements.xlsx")
class StatementsXlsx(MethodView):
    @require_login
    @blp.arguments(OrgArgs, location="query")
    @blp.response(200, content_type=MIME, description="The statements for the finance office")
    @blp.alt_response(403, schema=ApiErrorSchema, description="Not your organisation")
    def get(self, args):
        """The statements as an XLSX sheet (amounts as numbers formatted in yuan)."""
        return _export("xlsx", args)


def _export(fmt: str, args: dict) -> Response:
    rows = distribution.statements(current_identity(), args["org_id"])
    render, mimetype = distribution.EXPORTS[fmt]
    return Response(render(rows), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=distribution-statements.{fmt}"})
