"""A throwaway application for benchmarks: its own SQLite file and index folder, loaded through the services."""
from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.core.extensions import db
from app.core.identity import Identity
from app.core.uow import UnitOfWork
from app.core.validators import normalise_ipc
from app.matching import embeddings
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent


def bench_app(root: Path | None = None, database_url: str | None = None, prefix: str | None = None):
    """A migrated app on a fresh database; the embedded engine under ``root``."""
    root = root or Path(tempfile.mkdtemp(prefix="techbridge-bench-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{root / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-" + "x" * 40,
        "SEARCH_INDEX_DIR": str(root / "search"),
        "SEARCH_INDEX_PREFIX": prefix or f"bench-{uuid.uuid4().hex[:6]}",
        "SEARCH_DRAIN_AFTER_COMMIT": False,  # bulk loads are indexed by one reindex
        # ... and embedded by embed_all, in the foreground: the reindex's drain would otherwise queue every loaded
        # document for a background thread, still computing vectors while later figures are measured.
        "EMBED_AFTER_INDEX": False,
    })
    with app.app_context():
        upgrade()
    return app


def embed_all(batch: int = 256) -> dict:
    """Compute every patent's missing vector now (what the outbox worker does after publishing); the rate."""
    patents = db.session.scalars(select(Patent)).all()
    started = time.perf_counter()
    computed = sum(embeddings.ensure_embeddings("patents", patents[start:start + batch])
                   for start in range(0, len(patents), batch))
    seconds = time.perf_counter() - started
    return {"vectors_computed": computed, **({"vectors_per_s": round(computed / seconds, 1)} if computed else {})}


def ipc_codes(cpc: list[str]) -> list[str]:
    """CPC subgroups as IPC codes where the IPC scheme knows them (CPC extends IPC)."""
    codes = []
    for code in cpc:
        try:
            codes.append(normalise_ipc(code))
        except ValueError:
            continue
    return sorted(set(codes))


def load_patents(documents: dict[str, dict], batch: int = 1000) -> int:
    """Publish ``documents`` (external id → title/abstract/cpc) as patents of one demo university; its id."""
    from app.patents.service import patents_service

    with UnitOfWork() as uow:
        org = Organisation(name="基准测试大学", kind=OrgKind.university, region="北京",
                           verification_status=VerificationStatus.verified, is_demo=True)
        uow.session.add(org)
    org_id = org.id
    items = list(documents.items())
    for start in range(0, len(items), batch):
        with UnitOfWork() as uow:
            org = uow.session.get(Organisation, org_id)
            for external_id, doc in items[start:start + batch]:
                data = {"external_id": external_id, "title": doc["title"][:300], "abstract": doc["abstract"][:10000],
                        "ipc": ipc_codes(doc.get("cpc", [])), "patent_type": doc.get("patent_type", "invention")}
                patents_service.upsert(Identity.system(), org, data, publish=True, uow=uow)
        uow.session.expunge_all()  # keep memory flat on large loads
    return org_id
