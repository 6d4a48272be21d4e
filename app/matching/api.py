"""Matching API: ranked, explained counterparts of a demand or a patent; saved searches that alert."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.core.http import ApiErrorSchema, require_login
from app.core.identity import current_identity
from app.matching import alerts, service
from app.matching.explain import sentences
from app.matching.schemas import MatchArgs, MatchListSchema, SavedSearchInput, SavedSearchSchema, ServiceMatchArgs

blp = Blueprint("matching_api", __name__, url_prefix="/api/v1", description="Explained matches")


def _respond(direction, source_id, limit, kind=None) -> dict:
    """The matches shaped for :class:`MatchListSchema` (which dumps each listing as the reader may see it)."""
    results = service.matches_for(current_identity(), direction, source_id, limit=limit, service_kind=kind)
    return {"source_id": source_id,
            "matches": [{"listing": r.obj, "score": r.score,
                         "explanation": {**r.explanation, "summary": sentences(r.explanation)}} for r in results]}


@blp.route("/demands/<int:demand_id>/matches")
@blp.arguments(MatchArgs, location="query")
@blp.response(200, MatchListSchema)
def demand_matches(args, demand_id):
    """Patents ranked for a demand, each with its score and explanation."""
    return _respond(service.DEMAND_TO_PATENTS, demand_id, args["limit"])


@blp.route("/patents/<int:patent_id>/matches")
@blp.arguments(MatchArgs, location="query")
@blp.response(200, MatchListSchema)
def patent_matches(args, patent_id):
    """Demands ranked for a patent: who needs this technology."""
    return _respond(service.PATENT_TO_DEMANDS, patent_id, args["limit"])


@blp.route("/demands/<int:demand_id>/service-matches")
@blp.arguments(ServiceMatchArgs, location="query")
@blp.response(200, MatchListSchema)
def demand_service_matches(args, demand_id):
    """中试 / 检验检测 service offers for a demand (``kind`` narrows to pilot or inspection)."""
    return _respond(service.DEMAND_TO_SERVICES, demand_id, args["limit"], args.get("kind"))


@blp.route("/saved-searches")
class SavedSearches(MethodView):
    @require_login
    @blp.response(200, SavedSearchSchema(many=True))
    def get(self):
        """The user's saved searches; each alerts them when a newly published listing matches."""
        return alerts.saved_searches(current_identity())

    @require_login
    @blp.arguments(SavedSearchInput)
    @blp.response(201, SavedSearchSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Unknown filter or bad value (named in `errors`)")
    def post(self, args):
        """Save a search; ``params`` are those of ``GET /api/v1/search/{resource}``."""
        return alerts.save_search(current_identity(), args["resource"], args["name"], args["params"])


@blp.route("/saved-searches/<int:saved_id>")
class SavedSearch(MethodView):
    @require_login
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema, description="Not one of the user's saved searches")
    def delete(self, saved_id):
        """Delete a saved search."""
        alerts.delete_saved_search(current_identity(), saved_id)
