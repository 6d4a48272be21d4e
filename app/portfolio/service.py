"""Portfolio import and export through the listing services.

Records are upserted (``ListingService.upsert``, keyed by the organisation and ``external_id``) in batches:
one unit of work per batch, one savepoint per record. A bad record rolls back only its savepoint and is
reported with its line number; a crash rolls back the current batch, so earlier batches stay complete and
no record is ever half-written. Re-running a file updates instead of duplicating, so a crashed import is
finished by running it again. One commit (and one search-outbox drain) per batch keeps large files fast.
"""
from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from app.core.errors import ValidationFailed
from app.core.identity import Identity
from app.core.messages import NOT_OFFERED, as_text
from app.core.uow import UnitOfWork
from app.core.validators import normalise_ipc
from app.indexing.service import IndexOp
from app.listings.models import ListingStatus
from app.listings.registry import listing_services
from app.orgs import service as orgs
from app.orgs.models import Organisation
from app.portfolio.formats import FORMATS, FormatError, RowError, decode, detect_format, read_records, write_records
from app.portfolio.policy import Portfolio, portfolio_policy

BATCH_SIZE = 100


@dataclass
class ImportReport:
    """What an import did: counts, per-line errors and warnings."""

    counts: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def fail(self, line: int, external_id, errors: dict) -> None:
        """Record that ``line`` was not imported, with the field errors that say why."""
        self.errors.append({"line": line, "external_id": external_id, "errors": as_text(errors),
                            "messages": error_messages(errors)})

    def as_dict(self) -> dict:
        """The summary (imported = newly created) with every error and warning."""
        return {"read": sum(self.counts.values()) + len(self.errors), "imported": self.counts["imported"],
                "updated": self.counts["updated"], "unchanged": self.counts["unchanged"],
                "failed": len(self.errors), "errors": self.errors, "warnings": self.warnings}


def error_messages(errors, prefix: str = "") -> list[str]:
    """Flatten marshmallow-style nested errors into ``"indicators.0.value: message"`` lines.

    Keys starting with ``_`` (``_line``, ``_schema``, ``_record``) concern the whole record and name no field.
    """
    if isinstance(errors, dict):
        return [m for key, value in errors.items()
                for m in error_messages(value, prefix if str(key).startswith("_") else f"{prefix}{key}.")]
    if isinstance(errors, list):
        return [m for item in errors for m in error_messages(item, prefix)]
    return [f"{prefix.rstrip('.')}: {errors}" if prefix else str(errors)]


def check_access(identity: Identity, resource: str, org: Organisation, *, publish: bool = False) -> None:
    """Raise ``PermissionDenied`` unless ``identity`` may import/export ``resource`` for ``org``.

    Members of an organisation that may post the resource act on their own organisation; platform admins
    (and the system identity) on any, and only they may publish while importing.
    """
    if resource not in listing_services():
        raise ValidationFailed({"resource": [NOT_OFFERED]})
    if publish:
        portfolio_policy.require("publish", identity, message="only platform admins may publish while importing")
    portfolio_policy.require("transfer", identity, Portfolio(org.id, resource),
                             message=f"you may not import or export {resource} for this organisation")


def target_org(identity: Identity, org_id: int | None = None) -> Organisation:
    """The organisation an upload or download acts on: the identity's own, or ``org_id`` for platform admins."""
    if org_id is not None:
        portfolio_policy.require("transfer", identity, Portfolio(org_id),
                                 message="you may only import or export your own organisation's listings")
    return orgs.get(identity, org_id if org_id is not None else identity.org_id)


def _loadable_fields(service) -> list[str]:
    """The field names a record of ``service``'s resource may carry, in schema order."""
    return [f.data_key or name for name, f in service.schema_cls().load_fields.items()]


def _clean(record: dict, known: frozenset[str]) -> tuple[dict, list[str]]:
    """Drop fields the resource does not have and IPC codes the scheme does not know; say what was dropped."""
    notes = []
    unknown = sorted(set(record) - known)
    if unknown:
        notes.append("ignored fields: " + ", ".join(unknown))
    cleaned = {key: value for key, value in record.items() if key in known}
    if isinstance(cleaned.get("ipc"), list):
        valid = []
        for code in cleaned["ipc"]:
            try:
                valid.append(normalise_ipc(str(code)))
            except ValueError:
                notes.append(f"ignored IPC code {code!r}")
        cleaned["ipc"] = sorted(set(valid))
    return cleaned, notes


class _BatchUnit(UnitOfWork):
    """A batch's unit of work: every record writes its search-outbox row, but the after-commit drain (which
    applies every pending row, whoever wrote it) runs once per batch instead of once per record."""

    def register(self, operation) -> None:
        if isinstance(operation, IndexOp) and any(isinstance(op, IndexOp) for op in self._operations):
            operation.on_register(self)
            return
        super().register(operation)


class _Import:
    """One import run: the importer, the target, and the report being filled."""

    def __init__(self, identity: Identity, resource: str, org: Organisation, publish: bool):
        self.identity = identity
        self.service = listing_services()[resource]
        self.org = org
        self.publish = publish
        self.known = frozenset(_loadable_fields(self.service))
        self.report = ImportReport()

    def batch(self, rows: list[tuple[int, dict | RowError]]) -> None:
        """Import ``rows`` in one unit of work, each record inside its own savepoint."""
        with _BatchUnit() as uow:
            for line, record in rows:
                self.record(uow, line, record)

    def _exists(self, uow: UnitOfWork, external_id) -> bool:
        """Whether ``external_id`` is already imported (an id-only query: no listing or relationship loading)."""
        model = self.service.model
        return external_id is not None and uow.session.scalar(
            select(model.id).where(model.org_id == self.org.id, model.external_id == external_id)) is not None

    def record(self, uow: UnitOfWork, line: int, record: dict | RowError) -> None:
        if isinstance(record, RowError):
            self.report.fail(line, None, {"_line": [str(record)]})
            return
        external_id = record.get("external_id")
        cleaned, notes = _clean(record, self.known)
        try:
            with uow.session.begin_nested():
                existed = self._exists(uow, cleaned.get("external_id"))
                obj, changed = self.service.upsert(self.identity, self.org, cleaned, publish=self.publish, uow=uow)
        except ValidationFailed as error:
            self.report.fail(line, external_id, error.errors)
            return
        except (IntegrityError, DataError) as error:  # e.g. the same external_id imported concurrently
            self.report.fail(line, external_id, {"_record": [f"the database refused the record: {error.orig}"[:300]]})
            return
        if changed and obj.status == ListingStatus.approved and not self.service.policy.allows(
                "moderate", self.identity, obj):
            notes.append("published listing: the changes wait for moderator review")
        if notes:
            self.report.warnings.append({"line": line, "external_id": external_id, "notes": notes})
        self.report.counts["unchanged" if not changed else "updated" if existed else "imported"] += 1


def import_records(identity: Identity, resource: str, org: Organisation, stream: IO[str], fmt: str, *,
                   publish: bool = False, progress: Callable[[int], None] | None = None,
                   batch_size: int = BATCH_SIZE) -> ImportReport:
    """Import every record of ``stream`` (``jsonl``/``csv``) as ``resource`` listings of ``org``.

    ``progress(n)`` is called after each committed batch of ``n`` records.
    """
    check_access(identity, resource, org, publish=publish)
    run = _Import(identity, resource, org, publish)
    rows = read_records(stream, fmt)
    while batch := list(islice(rows, batch_size)):
        run.batch(batch)
        if progress:
            progress(len(batch))
    return run.report


def import_upload(identity: Identity, resource: str, org: Organisation, raw: bytes, filename: str,
                  declared_format: str | None = None, *, publish: bool = False) -> ImportReport:
    """Import an uploaded file (UI and API): check access, decode it, tell its format, import it."""
    check_access(identity, resource, org, publish=publish)
    try:
        fmt = detect_format(filename, declared_format)
        text = decode(raw)
    except FormatError as error:
        raise ValidationFailed({"file": [str(error)]}) from None
    return import_records(identity, resource, org, io.StringIO(text), fmt, publish=publish)


def export_records(identity: Identity, resource: str, org: Organisation, fmt: str) -> str:
    """Every ``resource`` listing of ``org`` as importable JSON Lines or CSV (re-importing changes nothing)."""
    check_access(identity, resource, org)
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [NOT_OFFERED]})
    service = listing_services()[resource]
    schema = service.schema_cls()
    loadable = _loadable_fields(service)
    records = []
    for obj in service.all_of_org(org.id):
        dumped = schema.dump(obj)
        records.append({key: dumped[key] for key in loadable if key in dumped and dumped[key] not in (None, [], "")})
    return write_records(records, fmt)
