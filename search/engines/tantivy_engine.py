"""The embedded engine: tantivy, one on-disk index per resource under the instance folder.

Each resource's live index is a versioned directory named in a small pointer file; ``reindex`` builds a
new directory and replaces the pointer atomically (our alias swap), so readers never see a half-built
index. Documents arrive already analysed (see :mod:`search.specs`); text fields use a whitespace tokenizer.

One writer: tantivy allows one writer per index folder, and several web workers share the folder. Every
write happens under the *writer lease*, an ``flock`` on ``{prefix}.writer.lock`` in the folder held by one
process at a time (:meth:`TantivyEngine.writer_lease`); the others only read, and reload an index when
its ``meta.json`` changes (checked before every read, a ``stat``).

Damage: a folder is validated before tantivy opens it (``meta.json`` parses, every segment file is there
and its footer checksum matches; see :func:`inspect_index`), and file sizes are re-checked before each
read, because tantivy memory-maps the files and reading a truncated one kills the process (SIGBUS). A
missing or damaged index raises :class:`~search.engine.IndexDamaged`; ``reindex`` rebuilds it from
nothing whatever the folder holds.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import struct
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import tantivy

from ..engine import Engine, IndexDamaged, RawHit, search_fields
from ..query import And, Filter, MatchAll, Not, Or, Range, SearchRequest, Term
from ..specs import index_fields, new_index_name, outdated, spec, to_datetime

WRITER_HEAP = 64_000_000
WHITESPACE = "tb_whitespace"
FIELD_TYPES = {"integer": tantivy.FieldType.Integer, "float": tantivy.FieldType.Float, "date": tantivy.FieldType.Date}
SORT_FIELDS = {"newest": ("published_at", tantivy.Order.Desc)}
TERM_QUERIES_MAX = 32  # a filter on more values (the matcher's candidate ids) stays one term-set query
PRICE_FIELDS = {"patents": "price", "demands": "budget_max", "services": "price_from"}
_facet_pools: dict[int, ThreadPoolExecutor] = {}
# Files every tantivy segment has (``.pos`` only with positions, ``.N.del`` only with deletions); each ends in
# a footer: JSON {version, crc}, its length (u32 LE) and the magic number 1337 (tantivy's directory/footer.rs).
SEGMENT_PARTS = ("fast", "fieldnorm", "idx", "store", "term")
FOOTER_MAGIC = 1337
MAX_FOOTER = 4096
INCOMPLETE_MARKER = "INCOMPLETE"  # written into a folder created empty while the database has listings


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


def _adders(resource: str) -> dict[str, str]:
    """Field → the ``tantivy.Document`` method adding its values (asked once per batch, not per value)."""
    s = spec(resource)
    methods = {"integer": "add_integer", "float": "add_float", "date": "add_date", "keyword": "add_text",
               "text": "add_text"}
    return {name: methods[s.field_kind(name)]
            for name in (*s.integers, *s.floats, *s.dates, *s.keywords, *s.text_fields)}


def _file_is_intact(path: Path, size: int) -> bool:
    """Whether a segment file ends in tantivy's footer and its CRC-32 matches (read in chunks, never mmapped)."""
    if size < 8:
        return False
    with open(path, "rb") as file:
        file.seek(size - 8)
        footer_len, magic = struct.unpack("<II", file.read(8))
        if magic != FOOTER_MAGIC or footer_len > min(size - 8, MAX_FOOTER):
            return False
        file.seek(size - 8 - footer_len)
        try:
            expected = json.loads(file.read(footer_len))["crc"]
        except (ValueError, KeyError, TypeError):
            return False
        file.seek(0)
        remaining, crc = size - 8 - footer_len, 0
        while remaining:
            chunk = file.read(min(remaining, 1 << 20))
            if not chunk:
                return False
            crc, remaining = zlib.crc32(chunk, crc), remaining - len(chunk)
    return crc == expected


def _stamp(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def inspect_index(path: Path, verified: dict[str, tuple] | None = None) -> tuple[str | None, dict[str, tuple]]:
    """Check an index folder without opening it: ``(problem or None, segment file → stamp)``.

    tantivy memory-maps segment files, and reading a truncated mapped file kills the process (SIGBUS), so a
    folder is validated before tantivy sees it: ``meta.json`` parses, every file of every listed segment
    exists and its footer checksum matches. ``verified`` holds files already checked (same stamp: skipped).
    """
    verified = verified or {}
    if not path.is_dir():
        return "index folder missing", {}
    marker = path / INCOMPLETE_MARKER
    if marker.exists():
        return marker.read_text(errors="replace").strip() or "index incomplete", {}
    try:
        segments = json.loads((path / "meta.json").read_text())["segments"]
        names = []
        for segment in segments:
            stem = segment["segment_id"].replace("-", "")
            names += [f"{stem}.{part}" for part in SEGMENT_PARTS]
            if segment.get("deletes"):
                names.append(f"{stem}.{int(segment['deletes']['opstamp'])}.del")
            if (path / f"{stem}.pos").exists():
                names.append(f"{stem}.pos")
    except FileNotFoundError:
        return "meta.json missing", {}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return "meta.json damaged", {}
    files = {}
    for name in names:
        try:
            stamp = _stamp((path / name).stat())
            intact = verified.get(name) == stamp or _file_is_intact(path / name, stamp[2])
        except FileNotFoundError:  # also when a writer merged it away while we read it (inspect_settled looks again)
            return f"segment file {name} missing", {}
        if not intact:
            return f"segment file {name} damaged", {}
        files[name] = stamp
    return None, files


def inspect_settled(path: Path, verified: dict[str, tuple] | None = None) -> tuple[str | None, dict[str, tuple]]:
    """:func:`inspect_index`, looked at again while ``meta.json`` changes underneath: a writer in another process
    may commit and delete the segments it merged away between our reading ``meta.json`` and its files. Only a
    problem seen with the same ``meta.json`` before and after is damage."""
    for _ in range(10):
        before = _meta_stamp_or_none(path)
        problem, files = inspect_index(path, verified)
        if not problem or _meta_stamp_or_none(path) == before:
            return problem, files
    return problem, files


def _deleted_documents(path: Path) -> int:
    """Documents deleted but still in the segments ``meta.json`` lists (term frequencies count them)."""
    try:
        segments = json.loads((path / "meta.json").read_text())["segments"]
        return sum(int((segment.get("deletes") or {}).get("num_deleted_docs", 0)) for segment in segments)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return sys.maxsize  # unknown: every term is counted


def _meta_stamp_or_none(path: Path):
    try:
        return _stamp((path / "meta.json").stat())
    except FileNotFoundError:
        return None


class _LiveIndex:
    """One resource's open index (validated first), its writer while this process holds the lease, and the
    stamps of its files, re-checked before every read."""

    def __init__(self, resource: str, path: Path, files: dict[str, tuple], create: bool = False):
        self.resource = resource
        self.path = path
        self.schema = _schema(resource)
        if create:
            path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(path), reuse=False)
        else:
            self.index = tantivy.Index.open(str(path))
        self.index.register_tokenizer(WHITESPACE, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        # paths as strings: every read stats each of them, and building Path objects cost as much as the stats
        self._meta_path, self._marker_path = str(path / "meta.json"), str(path / INCOMPLETE_MARKER)
        self._watch(files)
        self.meta_stamp = self._meta_stamp()
        self.deleted_documents = _deleted_documents(path)
        self._writer = None

    def _watch(self, files: dict[str, tuple]) -> None:
        """Remember the validated segment files (name → stamp) and the sizes each read re-checks."""
        self.files = files
        self._sizes = [(os.path.join(self.path, name), name, size) for name, (_, _, size) in files.items()]

    def _meta_stamp(self):
        return _stamp(os.stat(self._meta_path))

    @property
    def writer(self):
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def check(self) -> None:
        """Before a read: reload after another process's commit, refuse files that shrank or vanished."""
        try:
            stamp = self._meta_stamp()
            if stamp == self.meta_stamp and not os.path.exists(self._marker_path):
                for path, name, size in self._sizes:
                    if os.stat(path).st_size != size:
                        raise IndexDamaged(f"{self.resource}: segment file {name} changed size")
                return
        except FileNotFoundError:
            pass  # a merge may have removed old files after writing a new meta.json: inspect again
        problem, files = inspect_settled(self.path, self.files)
        if problem:
            raise IndexDamaged(f"{self.resource}: {problem}")
        self._watch(files)
        self.meta_stamp = self._meta_stamp()
        self.deleted_documents = _deleted_documents(self.path)
        self.index.reload()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None


class TantivyEngine(Engine):
    """The embedded engine (see module docstring)."""

    def __init__(self, index_dir: str, prefix: str = "techbridge"):
        self.root = Path(index_dir)
        self.prefix = prefix
        self._lock = threading.RLock()  # the open indexes of this process
        self._lease_lock = threading.RLock()  # one writing thread in this process …
        self._lease_depth = 0  # … which may nest leases (reindex drains inside its own)
        self._live: dict[str, _LiveIndex] = {}
        self._pointer_stamp: dict[str, tuple] = {}

    # ------------------------------------------------------------------ the writer lease

    @contextmanager
    def writer_lease(self, blocking: bool = False) -> Iterator[bool]:
        """Hold the index folder's writer lock (``flock`` on ``{prefix}.writer.lock``): one writing process.

        Non-blocking by default: ``False`` means another process writes now and will apply what is
        pending (``app.indexing.service.drain`` re-checks the outbox after releasing). On release the
        tantivy writers are closed, so the next holder can open theirs.
        """
        if not self._lease_lock.acquire(blocking=blocking):
            yield False
            return
        try:
            if self._lease_depth:
                self._lease_depth += 1
                try:
                    yield True
                finally:
                    self._lease_depth -= 1
                return
            self.root.mkdir(parents=True, exist_ok=True)
            handle = os.open(self.root / f"{self.prefix}.writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
                except BlockingIOError:
                    yield False
                    return
                self._lease_depth = 1
                try:
                    yield True
                finally:
                    self._lease_depth = 0
                    with self._lock:
                        for live in self._live.values():
                            live.close()
            finally:
                os.close(handle)  # closing the descriptor releases the flock
        finally:
            self._lease_lock.release()

    @contextmanager
    def _writing(self):
        """The lease for a write, waiting for it when another process holds it."""
        with self.writer_lease(blocking=True):
            yield

    # ------------------------------------------------------------------ index lifecycle

    def _pointer(self, resource: str) -> Path:
        return self.root / f"{self.prefix}-{resource}.current"

    def _new_path(self, resource: str) -> Path:
        return self.root / new_index_name(f"{self.prefix}-{resource}", resource)

    def _live_index(self, resource: str) -> _LiveIndex:
        """The validated live index; reopened when ``reindex`` (any process) swapped the pointer.

        Raises :class:`IndexDamaged` for a missing pointer or folder and for damaged files: an index is
        created only by ``ensure_indexes`` or ``reindex``, never silently on a read.
        """
        pointer = self._pointer(resource)
        with self._lock:
            try:
                stamp = _stamp(os.stat(pointer))
                # read again only when it changed: the stat before every search is what notices a swap
                opened = resource in self._live and self._pointer_stamp.get(resource) == stamp
                target = None if opened else pointer.read_text().strip()
            except FileNotFoundError:
                self._live.pop(resource, None)
                raise IndexDamaged(f"{resource}: index missing") from None
            if not opened:
                if not target or "/" in target or target.startswith("."):
                    raise IndexDamaged(f"{resource}: index pointer damaged")
                problem, files = inspect_settled(self.root / target)
                if problem:
                    raise IndexDamaged(f"{resource}: {problem}")
                old = self._live.pop(resource, None)
                if old is not None:
                    old.close()
                try:
                    self._live[resource] = _LiveIndex(resource, self.root / target, files)
                except ValueError as error:  # validated, yet tantivy refuses it (e.g. a foreign schema)
                    raise IndexDamaged(f"{resource}: {error}") from error
                self._pointer_stamp[resource] = stamp
            live = self._live[resource]
            live.check()
            return live

    def _swap_pointer(self, resource: str, path: Path) -> None:
        tmp = self._pointer(resource).with_suffix(".tmp")
        tmp.write_text(path.name)
        os.replace(tmp, self._pointer(resource))

    def ensure_indexes(self) -> list[str]:
        created = []
        with self._writing():
            for resource in self.resources:
                if not self._pointer(resource).exists():
                    path = self._new_path(resource)
                    _LiveIndex(resource, path, {}, create=True)
                    self._swap_pointer(resource, path)
                    created.append(resource)
        return created

    def mark_incomplete(self, resource: str, reason: str) -> None:
        with self._lock:
            target = self._pointer(resource).read_text().strip()
            (self.root / target / INCOMPLETE_MARKER).write_text(reason)

    def problems(self) -> dict[str, str]:
        found = {}
        for resource in self.resources:
            try:
                stale = outdated(resource, self._live_index(resource).path.name)
            except IndexDamaged as error:
                found[resource] = str(error)
            else:
                if stale:
                    found[resource] = stale
        return found

    def drop_all(self) -> None:
        with self._writing(), self._lock:
            for live in self._live.values():
                live.close()
            self._live.clear()
            self._pointer_stamp.clear()
            for path in self.root.glob(f"{self.prefix}-*"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    # ------------------------------------------------------------------ writes

    def _document(self, resource: str, source: dict, adders: dict[str, str]) -> tantivy.Document:
        document = tantivy.Document()
        for name, values in index_fields(resource, source).items():
            add = getattr(document, adders[name])
            for value in values:
                add(name, value)
        document.add_bytes("_source", json.dumps(source, ensure_ascii=False, default=str).encode())
        return document

    def index(self, resource: str, documents: list[dict]) -> None:
        with self._writing():
            live = self._live_index(resource)
            for source, document in zip(documents, self._documents(resource, documents), strict=True):
                live.writer.delete_documents_by_term("id", int(source["id"]))
                live.writer.add_document(document)
            self._commit(live)

    def delete(self, resource: str, ids: list[int]) -> None:
        with self._writing():
            live = self._live_index(resource)
            for listing_id in ids:
                live.writer.delete_documents_by_term("id", int(listing_id))
            self._commit(live)

    @staticmethod
    def _commit(live: _LiveIndex) -> None:
        try:
            live.writer.commit()
        except ValueError as error:  # e.g. the folder vanished under the writer
            live._writer = None
            raise IndexDamaged(f"{live.resource}: {error}") from error
        live.check()  # readers of this process see the change at once

    def reindex(self, resource: str, documents: Iterable[dict], progress: Callable[[int], None] | None = None,
                batch_size: int = 2000) -> int:
        """Build a new folder from ``documents`` whatever state the old one is in, swap, delete the rest."""
        with self._writing():
            path = self._new_path(resource)
            fresh = _LiveIndex(resource, path, {}, create=True)
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
                if old:
                    old.close()
                self._swap_pointer(resource, path)
                self._pointer_stamp.pop(resource, None)
                # every other folder of this resource: the old live one, damaged ones, leftovers of crashes
                for stale in self.root.glob(f"{self.prefix}-{resource}-v*"):
                    if stale != path:
                        shutil.rmtree(stale, ignore_errors=True)
        return total

    def _add_batch(self, live: _LiveIndex, batch: list[dict], progress) -> int:
        for document in self._documents(live.resource, batch):
            live.writer.add_document(document)
        if progress and batch:
            progress(len(batch))
        return len(batch)

    def _documents(self, resource: str, batch: list[dict]) -> list[tantivy.Document]:
        adders = _adders(resource)
        return [self._document(resource, source, adders) for source in batch]

    # ------------------------------------------------------------------ reads

    def count(self, resource: str) -> int:
        return self._live_index(resource).index.searcher().num_docs

    def document_frequencies(self, resource: str, fields: Sequence[str], terms: Iterable[str]) -> dict[str, int]:
        live = self._live_index(resource)
        try:
            searcher = live.index.searcher()
            if len(fields) == 1:  # the term dictionary answers directly
                return {term: searcher.doc_freq(fields[0], term) for term in dict.fromkeys(terms)}
            Q = tantivy.Query
            counts = {}
            for term in dict.fromkeys(terms):
                query = Q.boolean_query([(tantivy.Occur.Should, Q.term_query(live.schema, f, term)) for f in fields])
                counts[term] = searcher.search(query, limit=1, count=True).count
            return counts
        except (ValueError, OSError) as error:  # as in _run: report damage, do not crash
            raise IndexDamaged(f"{resource}: {error}") from error

    def unknown_terms(self, resource: str, fields: Sequence[str], terms: Sequence[str]) -> list[str]:
        """From the term dictionaries, without counting documents (20x faster): their frequencies include
        documents deleted but not yet merged away (an upsert deletes the old version), so a term is known when
        a field has it in more documents than the index has deleted; one in fewer is counted as before."""
        live = self._live_index(resource)
        ordered = list(dict.fromkeys(terms))
        known, uncertain = set(), []
        try:
            searcher = live.index.searcher()
            for term in ordered:
                frequencies = [searcher.doc_freq(field, term) for field in fields]
                if max(frequencies, default=0) > live.deleted_documents:
                    known.add(term)
                elif any(frequencies):
                    uncertain.append(term)
        except (ValueError, OSError) as error:  # as in _run: report damage, do not crash
            raise IndexDamaged(f"{resource}: {error}") from error
        if uncertain:
            known |= set(uncertain) - set(super().unknown_terms(resource, fields, uncertain))
        return [term for term in ordered if term not in known]

    def _run(self, request: SearchRequest, tokens: list[tuple[str, float]]):
        live = self._live_index(request.resource)
        try:
            return self._search(live, request, tokens)
        except (ValueError, OSError) as error:  # validated files that still fail to read: report, do not crash
            raise IndexDamaged(f"{request.resource}: {error}") from error

    def _search(self, live: _LiveIndex, request: SearchRequest, tokens: list[tuple[str, float]]):
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
        if request.source:
            hits = []
            for score, address in scored:
                source = json.loads(bytes(searcher.doc(address)["_source"][0]))
                hits.append(RawHit(id=int(source["id"]), score=float(score), source=source))
        else:  # ids from the id column, no stored document read
            ids = searcher.fast_field_values("id", [address for _, address in scored]) if scored else []
            hits = [RawHit(id=int(i), score=float(score), source={}) for i, (score, _) in zip(ids, scored, strict=True)]
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
            if len(values) > TERM_QUERIES_MAX:
                return Q.term_set_query(schema, node.field, values)
            # A term-set query first marks every matching document of the index in a bit set (the policy's
            # status and visibility filters: nearly all of them); term queries walk their postings only as far
            # as the other clauses lead them (0.6 -> 0.17 ms for a search at 100k). Same documents: a filter
            # does not score (the filter is a zero-score clause, or sorts by a field).
            if len(values) == 1:
                return Q.term_query(schema, node.field, values[0], index_option="basic")
            return Q.boolean_query([(tantivy.Occur.Should, Q.term_query(schema, node.field, v, index_option="basic"))
                                    for v in values])
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
