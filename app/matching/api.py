"""Matching API: ranked, explained counterparts of a demand or a patent."""
from __future__ import annotations

from flask_smorest import Blueprint

from ..identity import current_identity
from . import service
from .schemas import MatchArgs, MatchListSchema, ServiceMatchArgs

blp = Blueprint("matching_api", __name__, url_prefix="/api/v1", description="Explained matches")


def _payload(identity, direction, source_id, results) -> dict:
    target = direction.target_service
    return {"source_id": source_id,
            "matches": [{"listing": target.dump(identity, r.obj), "score": r.score, "explanation": r.explanation}
                        for r in results]}


def _respond(direction, source_id, limit, kind=None) -> dict:
    identity = current_identity()
    results = service.matches_for(identity, direction, source_id, limit=limit, service_kind=kind)
    return _payload(identity, direction, source_id, results)


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
