"""REST API of patents: ``/api/v1/patents`` (the generic listing API) plus PDF attachments."""
from __future__ import annotations

from flask import Response, send_file, url_for
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from app.core.http import ApiErrorSchema, created, require_login
from app.core.identity import current_identity
from app.listings.resource import listing_blueprint
from app.patents import attachments
from app.patents.service import patents_service

blp = listing_blueprint(
    patents_service, name="patents_api", description="Patents offered by university and institute TTOs"
)


class UploadFiles(Schema):
    file = Upload(required=True, metadata={"description": "A PDF (application/pdf), at most MAX_ATTACHMENT_BYTES"})


class UploadArgs(Schema):
    confidential = fields.Boolean(
        load_default=False, metadata={"description": "Only the owner, admins and NDA parties may download it"}
    )


@blp.route("/patents/<int:patent_id>/attachments")
class PatentAttachments(MethodView):
    @blp.response(200, attachments.AttachmentSchema(many=True))
    def get(self, patent_id):
        """The patent's attachments you may see (confidential ones only for insiders)."""
        return attachments.list_for(current_identity(), patent_id)

    @require_login
    @blp.arguments(UploadArgs, location="query")
    @blp.arguments(UploadFiles, location="files", content_type="multipart/form-data")
    @blp.response(201, attachments.AttachmentSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Not a PDF, too large or missing (`errors.file`)")
    def post(self, query, files, patent_id):
        """Attach a PDF (multipart/form-data field `file`) to a patent your organisation may edit."""
        attachment = attachments.add(current_identity(), patent_id, files["file"], query["confidential"])
        return created(attachment, url_for("patents_api.AttachmentDownload", attachment_id=attachment.id))


@blp.route("/attachments/<int:attachment_id>/download")
class AttachmentDownload(MethodView):
    @blp.response(200, content_type="application/pdf", description="The PDF file")
    @blp.alt_response(404, schema=ApiErrorSchema, description="Missing or not visible to you")
    def get(self, attachment_id):
        """Download an attachment (as a file, never rendered inline)."""
        attachment = attachments.get(current_identity(), attachment_id)
        response = send_file(
            attachments.file_path(attachment), mimetype="application/pdf", as_attachment=True,
            download_name=attachment.filename,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response


@blp.route("/attachments/<int:attachment_id>")
class Attachment(MethodView):
    @require_login
    @blp.response(204)
    def delete(self, attachment_id):
        """Delete an attachment of a patent your organisation may edit."""
        attachments.remove(current_identity(), attachment_id)
        return Response(status=204)
