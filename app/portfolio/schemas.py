"""Portfolio API schemas: the upload form, the export query and the import report."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.portfolio.formats import FORMATS


class TargetArgs(Schema):
    """Whose portfolio: your own organisation's, or (platform admins only) ``org_id``'s."""

    org_id = fields.Integer(validate=validate.Range(min=1),
                            metadata={"description": "Target organisation (platform admins only; default: yours)"})


class ImportArgs(TargetArgs):
    """Query of an import; the format defaults to the uploaded file's extension."""

    format = fields.String(validate=validate.OneOf(FORMATS),
                           metadata={"description": "jsonl or csv (default: from the file name)"})
    publish = fields.Boolean(load_default=False, metadata={"description": "Publish directly (platform admins only)"})


class ExportArgs(TargetArgs):
    """Query of an export."""

    format = fields.String(load_default="jsonl", validate=validate.OneOf(FORMATS))


class ImportFile(Schema):
    """The uploaded portfolio file (multipart/form-data field ``file``)."""

    file = Upload(required=True, metadata={"description": "JSON Lines or CSV, UTF-8 (or GBK), one record per line"})


class LineErrorSchema(Schema):
    """Why one line was not imported."""

    line = fields.Integer(metadata={"description": "Line number in the file (1-based; CSV counts the header)"})
    external_id = fields.String(allow_none=True)
    errors = fields.Dict(metadata={"description": "Field → messages, as the listing API reports them"})
    messages = fields.List(fields.String(), metadata={"description": "The same errors as readable lines"})


class LineWarningSchema(Schema):
    """What was dropped from an imported line (unknown fields, unknown IPC codes) or what waits for review."""

    line = fields.Integer()
    external_id = fields.String(allow_none=True)
    notes = fields.List(fields.String())


class ImportReportSchema(Schema):
    """What an import did."""

    read = fields.Integer(metadata={"description": "Records read"})
    imported = fields.Integer(metadata={"description": "New listings created"})
    updated = fields.Integer(metadata={"description": "Existing listings (same external_id) changed"})
    unchanged = fields.Integer(metadata={"description": "Existing listings already equal to the file"})
    failed = fields.Integer(metadata={"description": "Lines not imported (see errors)"})
    errors = fields.List(fields.Nested(LineErrorSchema))
    warnings = fields.List(fields.Nested(LineWarningSchema))
