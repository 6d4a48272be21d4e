"""Portfolio API: ``POST /api/v1/portfolio/import/{resource}`` (multipart upload) and
``GET /api/v1/portfolio/export/{resource}`` (JSON Lines or CSV download)."""
from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from app.core.http import API_PREFIX, ApiErrorSchema, require_login
from app.core.identity import current_identity
from app.portfolio import service
from app.portfolio.formats import MIMETYPES, encode
from app.portfolio.schemas import ExportArgs, ImportArgs, ImportFile, ImportReportSchema

blp = Blueprint("portfolio_api", __name__, url_prefix=f"{API_PREFIX}/portfolio",
                description="Import and export an organisation's patents, demands and service offers")
RESOURCE = "<any(patents, demands, services):resource>"


@blp.route(f"/import/{RESOURCE}", methods=["POST"])
@require_login
@blp.arguments(ImportArgs, location="query")
@blp.arguments(ImportFile, location="files", content_type="multipart/form-data")
@blp.response(200, ImportReportSchema)
@blp.alt_response(403, schema=ApiErrorSchema, description="Your organisation may not post this resource, "
                  "or the target organisation is not yours")
@blp.alt_response(422, schema=ApiErrorSchema, description="The file cannot be read (`errors.file`)")
def import_file(query, files, resource):
    """Import a JSON Lines or CSV file into your organisation's listings (as drafts; see docs/import-format.md).

    Good lines are imported, bad lines are reported with their line numbers; re-uploading the same file
    changes nothing. Changes to published listings wait for moderator review.
    """
    identity = current_identity()
    upload = files["file"]
    org = service.target_org(identity, query.get("org_id"))
    report = service.import_upload(identity, resource, org, upload.read(), upload.filename, query.get("format"),
                                   publish=query["publish"])
    return report.as_dict()


@blp.route(f"/export/{RESOURCE}", methods=["GET"])
@require_login
@blp.arguments(ExportArgs, location="query")
@blp.response(200, content_type="application/x-ndjson", description="JSON Lines (or CSV with ?format=csv)")
@blp.alt_response(403, schema=ApiErrorSchema, description="Not your organisation's portfolio")
def export_file(query, resource):
    """Download your organisation's listings in the import format (re-importing the file changes nothing)."""
    identity = current_identity()
    fmt = query["format"]
    org = service.target_org(identity, query.get("org_id"))
    text = service.export_records(identity, resource, org, fmt)
    return Response(encode(text, fmt), mimetype=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{resource}.{fmt}"',
                             "Cache-Control": "private, no-store"})
