"""Speed at scale on the embedded engine: bulk indexing, search and match latency, memory, and a SQL
``LIKE '%…%'`` scan of the same data as the naive peer.

The real sample (4,613 patents) is scaled up by resampling with perturbation: each synthetic patent takes a
random real patent, keeps a random 60–100 % of its abstract's sentences in shuffled order, appends one of
its own English keywords to the title to make the title unique, and draws region, maturity, price and IPC
from the real distribution — so term statistics stay realistic while no two documents are identical.
Rows are bulk-inserted (a benchmark loader, not an application path); indexing then runs the application's
own reindex (database read, schema dump, jieba segmentation, tantivy write). Every patent gets a stored
vector (random unit vectors: the nearest-neighbour cost does not depend on what they mean; computing 100k
real ones takes an hour — the real back-fill rate is the quality benchmark's ``vectors_per_s``), so matching
runs with the semantic feature on, as in production. Match queries are the real demands of the quality
benchmark (title + description), saved as listings whose query vectors were stored when they were indexed (as
the outbox drain does for every saved demand), the path of a listing page or ``flask match demand``; the same
demands unsaved and seen for the first time (the model embeds their two query texts in the request) are
timed as ``match_unsaved``. Search queries are shortened patent titles as people type them, sent both
in-process and over HTTP to a real gunicorn serving ``/api/v1/search/patents`` from the same database.
"""
from __future__ import annotations

import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote
from urllib.request import urlopen

import numpy as np
from sqlalchemy import and_, func, insert, or_, select

from app.core.cache import LRUCache
from app.core.extensions import db
from app.core.identity import Identity
from app.core.search import search as search_engine
from app.core.uow import UnitOfWork
from app.demands.models import TechDemand
from app.demands.service import demands_service
from app.discovery import service as discovery
from app.indexing import service as indexing
from app.listings.models import ListingStatus, Maturity
from app.matching import embeddings
from app.matching import service as matching
from app.matching.models import Embedding
from app.orgs.models import Organisation, OrgKind, VerificationStatus
from app.patents.models import Patent
from app.patents.service import patents_service
from search.analysis import analyze
from search.query import SearchRequest

from .bdci import load as load_bdci
from .datasets import DATA, patents_cpc
from .harness import bench_app, ipc_codes
from .quality import demand_for

REGIONS = ["北京", "上海", "江苏", "浙江", "广东", "湖北", "四川", "陕西"]
SENTENCE = re.compile(r"(?<=[。；;])")


def synthetic_patents(n: int, seed: int = 7) -> list[dict]:
    """``n`` patent rows resampled with perturbation from the real sample (see module docstring)."""
    rng = random.Random(seed)
    base = [json.loads(line) for line in (DATA / "cn_g06f_patents" / "patents.jsonl").open(encoding="utf-8")]
    now = datetime.now(UTC)
    rows = []
    for i in range(n):
        source = rng.choice(base)
        sentences = [s for s in SENTENCE.split(source["abstract"]) if s]
        kept = rng.sample(sentences, max(1, int(len(sentences) * rng.uniform(0.6, 1.0))))
        suffix = rng.choice(source["prior_art_keywords_en"] or ["variant"])
        rows.append({
            "external_id": f"SYN-{i}", "title": f"{source['title']}（{suffix}-{i}）"[:300], "abstract": "".join(kept),
            "ipc_codes": ipc_codes(source["cpc"]), "region": rng.choice(REGIONS),
            "maturity": rng.choice(list(Maturity)), "asking_price": rng.randrange(10, 500) * 10_000,
            "price_negotiable": False, "status": ListingStatus.approved, "keywords": [], "coop_modes": ["assignment"],
            "inventors": [], "published_at": now - timedelta(minutes=i), "industry": "信息技术",
        })
    return rows


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {"p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2)}


def timed(fn, items) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def like_search(text: str) -> int:
    """The naive peer: every analysed token as ``LIKE '%token%'`` over title and abstract, ANDed, page 1."""
    tokens = sorted(set(analyze(text)), key=len, reverse=True)[:3]
    clauses = [or_(Patent.title.like(f"%{t}%"), Patent.abstract.like(f"%{t}%")) for t in tokens]
    where = and_(Patent.status == ListingStatus.approved, *clauses)
    db.session.scalar(select(func.count(Patent.id)).where(where))
    return len(db.session.scalars(select(Patent.id).where(where).order_by(Patent.published_at.desc()).limit(20)).all())


def run_scale(n: int, queries: list[str]) -> dict:
    """Load ``n`` synthetic patents into a throwaway app and measure everything at that size."""
    app = bench_app()
    with app.app_context():
        with UnitOfWork() as uow:
            org = Organisation(name="规模测试大学", kind=OrgKind.university, region="北京",
                               verification_status=VerificationStatus.verified, is_demo=True)
            uow.session.add(org)
        rows = synthetic_patents(n)
        for start in range(0, n, 10_000):
            with UnitOfWork() as uow:
                uow.session.execute(insert(Patent), [{**row, "org_id": org.id} for row in rows[start:start + 10_000]])
        del rows
        started = time.perf_counter()
        indexed = indexing.reindex("patents")
        index_seconds = time.perf_counter() - started
        store_random_vectors(n)
        anonymous = Identity.anonymous()
        base = {"page": 1, "per_page": 20}
        faceted = {**base, "region": ["北京", "上海", "江苏"], "maturity": ["pilot", "small_batch", "mass_production"]}
        for q in queries[:20]:  # warm caches (jieba, tantivy searcher, SQLite pages) before measuring
            discovery.search_listings(anonymous, "patents", {**base, "q": q})
        search_ms = timed(lambda q: discovery.search_listings(anonymous, "patents", {**base, "q": q}), queries)
        filtered_ms = timed(lambda q: discovery.search_listings(anonymous, "patents", {**faceted, "q": q}), queries)
        raw = load_demands()
        matching.rank(anonymous, matching.DEMAND_TO_PATENTS, demand_for("预热", "预热"))  # load the vectors once
        unsaved_ms = timed(lambda d: matching.rank(anonymous, matching.DEMAND_TO_PATENTS, demand_for(
            d["title"], d["description"])), raw[:UNSAVED_DEMANDS])
        embeddings._query_memory = LRUCache(4096)  # saved demands' vectors come from the table, not this process
        demands = saved_demands(raw, org.id)
        match_ms = timed(lambda d: matching.rank(anonymous, matching.DEMAND_TO_PATENTS, d), demands)
        http_ms = http_search_ms(app, queries)
        # The LIKE peer returns a count and a page of ids; so does this engine query (no facets, no highlights).
        visible = patents_service.policy.search_filter("read", anonymous)
        same_work_ms = timed(lambda q: search_engine.engine.search(
            SearchRequest(resource="patents", text=q, filters=visible, per_page=20)), queries)
        like_ms = timed(like_search, queries[:50])
        search = percentiles(search_ms)
        same_work = percentiles(same_work_ms)
        return {
            "patents": n,
            "bulk_index_docs_per_s": round(indexed / index_seconds),
            "search": search,
            "search_http_gunicorn": percentiles(http_ms),
            "search_filters_facets": percentiles(filtered_ms),
            "match": percentiles(match_ms),
            "match_unsaved": percentiles(unsaved_ms),
            "like_scan": percentiles(like_ms),
            "engine_query_same_work_as_like": same_work,
            "like_over_search_p50": round(percentiles(like_ms)["p50_ms"] / search["p50_ms"], 1),
            "like_over_engine_query_p50": round(percentiles(like_ms)["p50_ms"] / same_work["p50_ms"], 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }


UNSAVED_DEMANDS = 30


def saved_demands(raw: list[dict], org_id: int) -> list[TechDemand]:
    """``raw`` demands saved (approved) with their query vectors stored, as after the outbox drain."""
    with UnitOfWork() as uow:
        rows = [demand_for(d["title"], d["description"]) for d in raw]
        for row in rows:
            row.org_id, row.status, row.valid_until = org_id, ListingStatus.approved, date(2099, 12, 31)
        uow.session.add_all(rows)
    ids = [row.id for row in rows]
    embeddings.ensure_query_vectors("demands", demands_service.get_many(ids))
    db.session.expire_all()
    return demands_service.get_many(ids, with_indicators=True)


def load_demands() -> list[dict]:
    """The real demands of the quality benchmark (read in place from shared/, never copied)."""
    return load_bdci()[1]


def store_random_vectors(n: int, dimensions: int = 384, seed: int = 11) -> None:
    """One random unit vector per patent, bulk-inserted (see module docstring)."""
    rng = np.random.default_rng(seed)
    ids = db.session.scalars(select(Patent.id).order_by(Patent.id)).all()
    for start in range(0, len(ids), 10_000):
        chunk = ids[start:start + 10_000]
        vectors = rng.standard_normal((len(chunk), dimensions), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with UnitOfWork() as uow:
            uow.session.execute(insert(Embedding), [
                {"resource": "patents", "object_id": i, "model": embeddings.LISTING_VECTORS, "text_hash": "synthetic",
                 "vector": v.tobytes()} for i, v in zip(chunk, vectors, strict=False)])
            embeddings.vectors_written(uow.session, "patents")


def http_search_ms(app, queries: list[str], workers: int = 2) -> list[float]:
    """Latency of ``GET /api/v1/search/patents?q=…`` answered by a real gunicorn on this benchmark's data."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": app.config["SECRET_KEY"],
           "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"], "SEARCH_INDEX_PREFIX": app.config["SEARCH_INDEX_PREFIX"],
           "SEARCH_DRAIN_AFTER_COMMIT": "0", "EMBED_AFTER_INDEX": "0"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--limit-request-line", "0", "wsgi:app"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1/search/patents?q="
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urlopen(base + quote("测试"), timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        for q in queries[:20]:  # warm both workers
            urlopen(base + quote(q), timeout=10).read()
        return timed(lambda q: urlopen(base + quote(q), timeout=10).read(), queries)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scale_queries(limit: int = 200) -> list[str]:
    """Shortened patent titles from the development set, as people would type them."""
    return [text for _, text, _ in patents_cpc().queries[:limit]]


def main() -> None:
    """``python -m bench.scale [--size 100000] [--queries 200]``: the speed figures alone, as one JSON line."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run_scale(args.size, scale_queries(args.queries)), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
