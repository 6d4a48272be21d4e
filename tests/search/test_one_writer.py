"""One writer for the embedded index: several processes publish at once (as gunicorn workers do), each
drains the outbox after its commits, exactly one holds the writer lease at a time, and a reader in yet
another process sees every published listing within 2 seconds of its commit — no LockBusy, nothing lost."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from app.core.extensions import db
from app.core.identity import Identity
from app.discovery import service as discovery
from app.indexing.models import SearchOutbox
from app.orgs.models import OrgKind, VerificationStatus
from tests.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[2]
WORKERS, PER_WORKER, DEADLINE_S = 2, 8, 2.0
TOPIC = "多进程发布测试"

WORKER_SCRIPT = f"""
import json, sys, time
from sqlalchemy import event
from sqlalchemy.orm import Session
from app import create_app
from app.core.extensions import db
from app.core.identity import Identity
from app.orgs.models import Organisation
from app.patents.service import patents_service
from tests.factories import make_listing
commits = []
event.listen(Session, "after_commit", lambda session: commits.append(time.time()))
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    org = db.session.get(Organisation, int(sys.argv[2]))
    for n in range(int(sys.argv[3])):
        listing = make_listing("patents", org, status="pending", title=f"{TOPIC} {{sys.argv[4]}}-{{n}}")
        seen = len(commits)
        patents_service.moderate(Identity.system(), listing.id, "approve", None)  # commit, then drain
        print(json.dumps({{"id": listing.id, "committed": commits[seen]}}), flush=True)  # the approval's commit
"""


@pytest.fixture
def shared_site(tmp_path):
    """A site of its own on disk (database file and index folder), as worker processes share it."""
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite3'}", "SECRET_KEY": "s" * 40,
                "SEARCH_INDEX_DIR": str(tmp_path / "search"), "UPLOAD_DIR": str(tmp_path / "uploads"),
                "SEARCH_DRAIN_AFTER_COMMIT": True, "OUTBOX_DRAIN_IN_BACKGROUND": False, "RATELIMIT_ENABLED": False,
                # The index writer is under test; vectors would make each alert drain embed queries while it
                # holds SQLite's write lock (see README, matching), which is slow on a busy machine.
                "EMBED_AFTER_INDEX": False}
    app = create_app(settings)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        OrganisationFactory._meta.sqlalchemy_session = db.session
        org = OrganisationFactory(kind=OrgKind.university, verification_status=VerificationStatus.verified)
        db.session.commit()
        org_id = org.id
    return app, settings, org_id


def test_concurrent_publishers_in_several_processes_lose_nothing(shared_site):
    app, settings, org_id = shared_site
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, json.dumps(settings), str(org_id),
                                 str(PER_WORKER), f"w{n}"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for n in range(WORKERS)]
    first_seen: dict[int, float] = {}
    deadline = time.time() + 180
    while time.time() < deadline:
        # This process only reads, as a web worker serving searches does: one GET request each time, whose
        # transaction is deferred (no write lock) and ends with the request.
        with app.test_request_context("/search/patents"):
            result = discovery.search_listings(Identity.anonymous(), "patents", {"q": TOPIC, "page": 1, "per_page": 50})
        now = time.time()
        for hit in result["hits"]:
            first_seen.setdefault(hit["id"], now)
        if all(w.poll() is not None for w in workers) and len(first_seen) >= WORKERS * PER_WORKER:
            break
        time.sleep(0.05)
    outputs = [w.communicate(timeout=60) for w in workers]
    with app.app_context():
        pending = db.session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.processed_at.is_(None)))
    for worker, (_out, err) in zip(workers, outputs, strict=False):
        assert worker.returncode == 0, err[-3000:]
        assert "LockBusy" not in err and "drain failed" not in err, err[-3000:]
    committed = {row["id"]: row["committed"] for out, _ in outputs for row in map(json.loads, out.splitlines())}
    assert len(committed) == WORKERS * PER_WORKER
    assert set(first_seen) == set(committed)  # every published listing is searchable …
    delays = sorted(first_seen[i] - committed[i] for i in committed)
    assert delays[-1] <= DEADLINE_S, delays  # … within 2 s of its commit
    assert pending == 0
    print(f"publish → searchable: median {delays[len(delays) // 2]:.2f} s, max {delays[-1]:.2f} s")
