"""Retrieval quality on the development benchmark: plain BM25 (bm25s + jieba) against our matcher.

Both rank the same documents for the same queries; the matcher is asked as it is in the product: a demand
whose title and description are the query, ranked against published patents.
"""
from __future__ import annotations

import re
import time

import bm25s
import jieba
from sqlalchemy import select

from app.core.extensions import db
from app.core.identity import Identity
from app.demands.models import TechDemand
from app.indexing import service as indexing
from app.matching import service as matching
from app.patents.models import Patent

from .datasets import BenchSet
from .harness import bench_app, embed_all, load_patents
from .metrics import summarise

_WORD = re.compile(r"\w")


def _plain_tokens(text: str) -> list[str]:
    return [t for t in jieba.lcut(text) if _WORD.search(t)]


def bm25_baseline(bench: BenchSet) -> dict[str, float]:
    """Plain BM25 over jieba tokens of title + abstract, by the independent ``bm25s`` library."""
    ids = list(bench.documents)
    retriever = bm25s.BM25()
    retriever.index([_plain_tokens(d["title"] + " " + d["abstract"]) for d in bench.documents.values()], show_progress=False)
    runs = []
    for _, text, relevant in bench.queries:
        docs, _ = retriever.retrieve([_plain_tokens(text)], k=100, show_progress=False)
        runs.append(([ids[i] for i in docs[0]], relevant))
    return summarise(runs)


def demand_for(title: str, description: str | None = None) -> TechDemand:
    """A transient (never saved) demand with ``title`` and ``description`` (default: the title again)."""
    return TechDemand(title=title[:300], description=description or title, keywords=[], indicators=[], ipc_codes=[])


def matcher_runs(bench: BenchSet) -> dict[str, float]:
    """Our matcher over the same documents, loaded through the services into a throwaway app (with the vector
    back-fill rate: every document is embedded first, as after publishing)."""
    app = bench_app()
    with app.app_context():
        load_patents(bench.documents)
        indexing.reindex("patents")
        vectors = embed_all()
        external = dict(db.session.execute(select(Patent.id, Patent.external_id)).all())
        runs = []
        started = time.perf_counter()
        for _, text, relevant in bench.queries:
            results = matching.rank(Identity.system(), matching.DEMAND_TO_PATENTS, demand_for(text), limit=100)
            runs.append(([external[r.obj.id] for r in results], relevant))
        per_query_ms = (time.perf_counter() - started) * 1000 / max(len(bench.queries), 1)
    return {**summarise(runs), "ms_per_query": round(per_query_ms, 1), **vectors}
