"""Portfolio import and export through the listing services.

Each record is upserted in its own unit of work (``ListingService.upsert``, keyed by the organisation and
``external_id``), so a crash midway leaves every earlier record complete and no record half-written, and
re-running a file updates instead of duplicating. Bad records are reported with their line numbers.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Callable

from ..errors import PermissionDenied, ValidationFailed
from ..identity import Identity
from ..listings.registry import listing_services
from ..orgs.models import Organisation
from ..validators import normalise_ipc
from .formats import RowError, read_records, write_records


@dataclass
class ImportReport:
    """What an import did: counts, per-line errors and warnings."""

    counts: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"imported": self.counts["created"] + self.counts["updated"], "created": self.counts["created"],
                "updated": self.counts["updated"], "unchanged": self.counts["unchanged"],
                "failed": len(self.errors), "errors": self.errors, "warnings": self.warnings}


def _check_importer(identity: Identity, resource: str, org: Organisation) -> None:
    if identity.is_system:
        return
    if identity.org_id != org.id or not listing_services()[resource].policy.allows("create", identity):
        raise PermissionDenied(f"you may not import {resource} for this organisation")


def _clean(service, record: dict) -> tuple[dict, list[str]]:
    """Drop fields the resource does not have and IPC codes the scheme does not know; say what was dropped."""
    known = {f.data_key or name for name, f in service.schema_cls().load_fields.items()}
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


def import_records(identity: Identity, resource: str, org: Organisation, stream: IO[str], fmt: str, *,
                   publish: bool = False, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import every record of ``stream`` (``jsonl``/``csv``) as ``resource`` listings of ``org``."""
    _check_importer(identity, resource, org)
    if publish and not identity.is_platform_admin:
        raise PermissionDenied("only platform admins may publish while importing")
    service = listing_services()[resource]
    report = ImportReport()
    for line, record in read_records(stream, fmt):
        if progress:
            progress(1)
        if isinstance(record, RowError):
            report.errors.append({"line": line, "external_id": None, "errors": {"_line": [str(record)]}})
            continue
        cleaned, notes = _clean(service, record)
        if notes:
            report.warnings.append({"line": line, "external_id": record.get("external_id"), "notes": notes})
        try:
            existed = service.find_external(org.id, cleaned.get("external_id")) is not None
            _, changed = service.upsert(Identity.system(), org, cleaned, publish=publish)
        except ValidationFailed as error:
            report.errors.append({"line": line, "external_id": record.get("external_id"), "errors": error.extra["errors"]})
            continue
        report.counts["unchanged" if not changed else "updated" if existed else "created"] += 1
    return report


def export_records(identity: Identity, resource: str, org: Organisation, fmt: str) -> str:
    """Every ``resource`` listing of ``org`` as importable JSON Lines or CSV (re-importing changes nothing)."""
    _check_importer(identity, resource, org)
    service = listing_services()[resource]
    schema = service.schema_cls()
    loadable = [f.data_key or name for name, f in schema.load_fields.items()]
    records = []
    for obj in service.all_of_org(org.id):
        dumped = schema.dump(obj)
        records.append({key: dumped[key] for key in loadable if key in dumped and dumped[key] not in (None, [], "")})
    return write_records(records, fmt)
