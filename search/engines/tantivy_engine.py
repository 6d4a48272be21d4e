"""The embedded engine: tantivy, one on-disk index per resource under the instance folder.

Each resource's live index is a versioned directory named in a small pointer file; ``reindex`` builds a
new directory and replaces the pointer atomically (our alias swap), so readers never see a half-built
index. Documents arrive already analysed (see :mod:`search.specs`); text fields use a whitespace tokenizer.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Sequence

import tantivy

from ..engine import Engine, RawHit, search_fields
from ..query import And, Filter, MatchAll, Not, Or, Range, SearchRequest, Term
from ..specs import index_fields, spec, to_datetime

WRITER_HEAP = 64_000_000
WHITESPACE = "tb_whitespace"
FIELD_TYPES = {"integer": tantivy.FieldType.Integer, "float": tantivy.FieldType.Float, "date": tantivy.FieldType.Date}
SORT_FIELDS = {"newest": ("published_at", tantivy.Order.Desc)}
PRICE_FIELDS = {"patents": "price", "demands": "budget_max", "services": "price_from"}
_facet_pools: dict[int, ThreadPoolExecutor] = {}


def _facet_pool() -> ThreadPoolExecutor:
    """This process's facet threads (a pool inherited through ``fork`` would wait on threads that do not exist)."""
    pool = _facet_pools.get(os.getpid())
    if pool is None:
        pool = _facet_pools[os.getpid()] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tantivy-facets")
    return pool


def _schema(resource: str) -> tantivy.Schema:
    s = spec(resource)
    builder = tantivy.SchemaBuilder()
    for name in s.integers:
        builder.add_integer_field(name, stored=name == "id", indexed=True, fast=True)
    for name in s.text_fields:
        builder.add_text_field(name, tokenizer_name=WHITESPACE, index_option="freq")
    for name in s.keywords:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in s.floats:
        builder.add_float_field(name, indexed=True, fast=True)
    for name in s.dates:
        builder.add_date_field(name, indexed=True, fast=True)
    builder.add_bytes_field("_source", stored=True)
    return builder.build()


class _LiveIndex:
    """One resource's open index and writer."""

    def __init__(self, resource: str, path: Path):
        self.resource = resource
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema(resource)
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self.index.register_tokenizer(WHITESPACE, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        self._writer = None

    @property
    def writer(self):
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None


class TantivyEngine(Engine):
    """The embedded engine (see module docstring)."""

    def __init__(self, index_dir: str, prefix: str = "techbridge"):
        self.root = Path(index_dir)
        self.prefix = prefix
        self._lock = threading.RLock()
        self._live: dict[str, _LiveIndex] = {}
        self._pointer_mtime: dict[str, float] = {}

    # ------------------------------------------------------------------ index lifecycle

    def _pointer(self, resource: str) -> Path:
        return self.root / f"{self.prefix}-{resource}.current"

    def _new_path(self, resource: str) -> Path:
        return self.root / f"{self.prefix}-{resource}-v{spec(resource).version}-{time.time_ns()}"

    def _live_index(self, resource: str) -> _LiveIndex:
        """The live index, reopened when another process (``flask search reindex``) swapped the pointer."""
        pointer = self._pointer(resource)
        with self._lock:
            if not pointer.exists():
                self.root.mkdir(parents=True, exist_ok=True)
                self._swap_pointer(resource, self._new_path(resource))
            mtime = pointer.stat().st_mtime_ns
            if resource not in self._live or self._pointer_mtime.get(resource) != mtime:
                path = self.root / pointer.read_text().strip()
                if resource in self._live:
                    self._live[resource].close()
                self._live[resource] = _LiveIndex(resource, path)
                self._pointer_mtime[resource] = mtime
            return self._live[resource]

    def _swap_pointer(self, resource: str, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        tmp = self._pointer(resource).with_suffix(".tmp")
        tmp.write_text(path.name)
        os.replace(tmp, self._pointer(resource))

    def ensure_indexes(self) -> None:
        for resource in self.resources:
            self._live_index(resource)

    def drop_all(self) -> None:
        with self._lock:
            for live in self._live.values():
                live.close()
            self._live.clear()
            self._pointer_mtime.clear()
            for path in self.root.glob(f"{self.prefix}-*"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    # ------------------------------------------------------------------ writes

    def _document(self, resource: str, source: dict) -> tantivy.Document:
        document = tantivy.Document()
        s = spec(resource)
        for name, values in index_fields(resource, source).items():
            kind = s.field_kind(name)
            add = {"integer": document.add_integer, "float": document.add_float, "date": document.add_date,
                   "keyword": document.add_text, "text": document.add_text}[kind]
            for value in values:
                add(name, value)
        document.add_bytes("_source", json.dumps(source, ensure_ascii=False, default=str).encode())
        return document

    def index(self, resource: str, documents: list[dict]) -> None:
        with self._lock:
            live = self._live_index(resource)
            for source in documents:
                live.writer.delete_documents_by_term("id", int(source["id"]))
                live.writer.add_document(self._document(resource, source))
            live.writer.commit()
            live.index.reload()

    def delete(self, resource: str, ids: list[int]) -> None:
        with self._lock:
            live = self._live_index(resource)
            for listing_id in ids:
                live.writer.delete_documents_by_term("id", int(listing_id))
            live.writer.commit()
            live.index.reload()

    def reindex(self, resource: str, documents: Iterable[dict], progress: Callable[[int], None] | None = None,
                batch_size: int = 2000) -> int:
        path = self._new_path(resource)
        fresh = _LiveIndex(resource, path)
        total = 0
        batch: list[dict] = []
        for source in documents:
            batch.append(source)
            if len(batch) == batch_size:
                total += self._add_batch(fresh, batch, progress)
                batch = []
        total += self._add_batch(fresh, batch, progress)
        fresh.writer.commit()
        fresh.close()
        with self._lock:
            old = self._live.pop(resource, None)
            old_path = old.path if old else None
            if old:
                old.close()
            self._swap_pointer(resource, path)
            self._pointer_mtime.pop(resource, None)
            if old_path and old_path != path:
                shutil.rmtree(old_path, ignore_errors=True)
        return total

    def _add_batch(self, live: _LiveIndex, batch: list[dict], progress) -> int:
        for document in self._documents(live.resource, batch):
            live.writer.add_document(document)
        if progress and batch:
            progress(len(batch))
        return len(batch)

    def _documents(self, resource: str, batch: list[dict]) -> list[tantivy.Document]:
        return [self._document(resource, source) for source in batch]

    # ------------------------------------------------------------------ reads

    def count(self, resource: str) -> int:
        return self._live_index(resource).index.searcher().num_docs

    def document_frequencies(self, resource: str, fields: Sequence[str], terms: Iterable[str]) -> dict[str, int]:
        live = self._live_index(resource)
        searcher = live.index.searcher()
        if len(fields) == 1:  # the term dictionary answers directly
            return {term: searcher.doc_freq(fields[0], term) for term in dict.fromkeys(terms)}
        Q = tantivy.Query
        counts = {}
        for term in dict.fromkeys(terms):
            query = Q.boolean_query([(tantivy.Occur.Should, Q.term_query(live.schema, f, term)) for f in fields])
            counts[term] = searcher.search(query, limit=1, count=True).count
        return counts

    def _run(self, request: SearchRequest, tokens: list[tuple[str, float]]):
        live = self._live_index(request.resource)
        schema = live.schema
        searcher = live.index.searcher()
        filter_query = self._filter(schema, request.resource, request.filters or MatchAll())
        if tokens:
            text_query = self._text_query(schema, request, tokens)
            query = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, text_query),
                (tantivy.Occur.Must, tantivy.Query.const_score_query(filter_query, 0.0)),
            ])
        else:
            query = filter_query
        # Facet counts are a second pass over every match; tantivy releases the GIL, so it runs beside the page.
        facets = _facet_pool().submit(self._facets, searcher, query, request.facets) if request.facets else None
        limit = request.offset + request.per_page
        sort = request.sort if (request.sort != "relevance" or not tokens) else "relevance"
        if sort == "relevance" and not tokens:
            sort = "newest"
        if sort == "relevance":
            result = searcher.search(query, limit=max(limit, 1), count=True)
            scored = [(score, address) for score, address in result.hits]
        else:
            field, order = self._sort_field(request.resource, sort)
            result = searcher.search(query, limit=max(limit, 1), count=True, order_by_field=field, order=order)
            scored = [(0.0, address) for _, address in result.hits]
        hits = []
        for score, address in scored:
            source = json.loads(bytes(searcher.doc(address)["_source"][0]))
            hits.append(RawHit(id=int(source["id"]), score=float(score), source=source))
        if sort == "relevance":
            hits.sort(key=lambda hit: (-round(hit.score, 4), hit.id))
        hits = hits[request.offset:limit]
        return result.count, hits, facets.result() if facets else {}

    @staticmethod
    def _sort_field(resource: str, sort: str):
        if sort == "newest":
            return SORT_FIELDS["newest"]
        order = tantivy.Order.Asc if sort == "price_asc" else tantivy.Order.Desc
        return PRICE_FIELDS[resource], order

    @staticmethod
    def _facets(searcher, query, fields) -> dict[str, list[tuple[str, int]]]:
        aggregations = {field: {"terms": {"field": field, "size": 200}} for field in fields}
        result = searcher.aggregate(query, aggregations)
        return {field: [(bucket["key"], bucket["doc_count"]) for bucket in result[field]["buckets"]] for field in fields}

    @staticmethod
    def _text_query(schema, request: SearchRequest, terms: list[tuple[str, float]]):
        """Per term, a boosted term query in every field; "and" makes each term's field group required."""
        Q, fields = tantivy.Query, search_fields(request)
        per_term = [
            [(tantivy.Occur.Should, Q.boost_query(Q.term_query(schema, field, term, index_option="freq"), boost * weight))
             for field, boost in fields.items()]
            for term, weight in terms
        ]
        if request.operator == "and":
            return Q.boolean_query([(tantivy.Occur.Must, Q.boolean_query(group)) for group in per_term])
        return Q.boolean_query([clause for group in per_term for clause in group])

    def _filter(self, schema, resource: str, node: Filter):
        """Translate a :mod:`search.query` filter into a tantivy query."""
        Q = tantivy.Query
        if isinstance(node, MatchAll):
            return Q.all_query()
        if isinstance(node, Term):
            if not node.values:
                return Q.empty_query()
            kind = spec(resource).field_kind(node.field)
            values = [int(v) for v in node.values] if kind == "integer" else [str(v) for v in node.values]
            return Q.term_set_query(schema, node.field, values)
        if isinstance(node, Range):
            kind = spec(resource).field_kind(node.field)
            convert = to_datetime if kind == "date" else float
            low = None if node.gte is None else convert(node.gte)
            high = None if node.lte is None else convert(node.lte)
            if low is None and high is None:
                return Q.all_query()
            return Q.range_query(schema, node.field, FIELD_TYPES[kind], low, high)
        if isinstance(node, And):
            if not node.parts:
                return Q.all_query()
            return Q.boolean_query([(tantivy.Occur.Must, self._filter(schema, resource, p)) for p in node.parts])
        if isinstance(node, Or):
            if not node.parts:
                return Q.empty_query()
            return Q.boolean_query([(tantivy.Occur.Should, self._filter(schema, resource, p)) for p in node.parts])
        if isinstance(node, Not):
            return Q.boolean_query([(tantivy.Occur.Must, Q.all_query()),
                                    (tantivy.Occur.MustNot, self._filter(schema, resource, node.part))])
        raise TypeError(f"unsupported filter {node!r}")
