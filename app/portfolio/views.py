"""Portfolio pages: a TTO (or enterprise, or service provider) uploads a JSON Lines/CSV file and reads the
result line by line; export links download the organisation's listings in the same format."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from app.core.errors import ValidationFailed
from app.core.identity import current_identity
from app.listings.registry import kinds, listing_services
from app.portfolio import service
from app.portfolio.formats import FORMATS

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")


def _postable(identity) -> list[str]:
    """The resources the identity's organisation may post, hence import and export."""
    return [name for name, listing_service in listing_services().items()
            if listing_service.policy.allows("create", identity)]


@bp.route("/", methods=["GET", "POST"])
@login_required
def import_page():
    """The upload form; on POST, the import's result table (good lines imported, bad lines explained)."""
    identity = current_identity()
    resources = _postable(identity)
    report, errors, status = None, {}, 200
    if request.method == "POST":
        resource = request.form.get("resource", "")
        upload = request.files.get("file")
        if resource not in resources:
            errors["resource"] = [_l("Choose what the file holds.")]
        if upload is None or not upload.filename:
            errors["file"] = [_l("Choose a file to upload.")]
        if not errors:
            try:
                report = service.import_upload(identity, resource, service.target_org(identity), upload.read(),
                                               upload.filename, request.form.get("format") or None).as_dict()
            except ValidationFailed as error:
                errors = error.errors
        status = 422 if errors else 200
    return render_template("portfolio/import.html", resources=resources, labels={resource: declared.name for resource, declared in kinds().items()}, formats=FORMATS,
                           report=report, errors=errors, form=request.form), status
