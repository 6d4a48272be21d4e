"""The production engine: Elasticsearch through the official client.

One index per resource and mapping version (``{prefix}-{resource}-v{N}-{stamp}``) behind an alias
(``{prefix}-{resource}``); ``reindex`` fills a new index, swaps the alias atomically and drops the old
one, so searches never see a half-built index. Mappings come from ``search/mappings/*.vN.json``.
Documents are stored as the analysed index fields plus the original search document under ``source``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import bulk, streaming_bulk

from ..engine import Engine, EngineUnavailable, IndexDamaged, RawHit, search_fields
from ..query import And, Filter, MatchAll, Not, Or, Range, SearchRequest, Term
from ..specs import index_fields, new_index_name, outdated, spec
from .tantivy_engine import PRICE_FIELDS

REQUEST_TIMEOUT = 30


class ElasticsearchEngine(Engine):
    """Elasticsearch (or an OpenSearch-compatible peer with ``plain_json``)."""

    def __init__(self, url: str, prefix: str = "techbridge", plain_json: bool = False):
        options = {"request_timeout": REQUEST_TIMEOUT}
        if plain_json:
            from ..es_transport import PlainJsonNode

            options["node_class"] = PlainJsonNode
        self.client = Elasticsearch(url, **options)
        self.prefix = prefix
        # Resources whose alias was created empty while the database had listings (this process only: the
        # count comparison of `flask search status` sees the same from anywhere).
        self._incomplete: dict[str, str] = {}

    def alias(self, resource: str) -> str:
        return f"{self.prefix}-{resource}"

    def _create_index(self, resource: str) -> str:
        s = spec(resource)
        name = new_index_name(self.alias(resource), resource)
        self.client.indices.create(index=name, settings=s.mapping["settings"], mappings=s.mapping["mappings"])
        return name

    def ensure_indexes(self) -> list[str]:
        created = []
        try:
            for resource in self.resources:
                if not self.client.indices.exists_alias(name=self.alias(resource)):
                    self.client.indices.put_alias(index=self._create_index(resource), name=self.alias(resource))
                    created.append(resource)
        except (ApiError, TransportError) as error:
            raise EngineUnavailable(str(error)) from error
        return created

    def mark_incomplete(self, resource: str, reason: str) -> None:
        self._incomplete[resource] = reason

    def problems(self) -> dict[str, str]:
        found = dict(self._incomplete)
        for resource in self.resources:
            if resource not in found:
                try:
                    names = list(self.client.indices.get_alias(name=self.alias(resource)))
                except NotFoundError:
                    found[resource] = f"{resource}: index missing"
                except (ApiError, TransportError) as error:
                    found[resource] = f"unreachable: {error}"
                else:
                    stale = next(filter(None, (outdated(resource, name) for name in names)), None)
                    if stale:
                        found[resource] = stale
        return found

    def drop_all(self) -> None:
        for name in self.client.indices.get(index=f"{self.prefix}-*"):
            self.client.indices.delete(index=name)

    # ------------------------------------------------------------------ writes

    def _action(self, resource: str, index: str, source: dict) -> dict:
        fields = index_fields(resource, source)
        body = {name: (values if len(values) != 1 else values[0]) for name, values in fields.items() if values}
        for name in spec(resource).dates:
            if name in body:
                body[name] = [v.isoformat() for v in fields[name]]
        body["source"] = source
        return {"_index": index, "_id": str(source["id"]), "_source": body}

    def index(self, resource: str, documents: list[dict]) -> None:
        self._bulk([self._action(resource, self.alias(resource), doc) for doc in documents])

    def delete(self, resource: str, ids: list[int]) -> None:
        actions = [{"_op_type": "delete", "_index": self.alias(resource), "_id": str(i)} for i in ids]
        self._bulk(actions, ignore_status=(404,))

    def _bulk(self, actions: list[dict], ignore_status=()) -> None:
        if not actions:
            return
        try:
            bulk(self.client, actions, refresh=True, raise_on_error=True, ignore_status=ignore_status)
        except (ApiError, TransportError) as error:
            raise EngineUnavailable(str(error)) from error

    def reindex(self, resource: str, documents: Iterable[dict], progress: Callable[[int], None] | None = None) -> int:
        try:
            alias = self.alias(resource)
            new_index = self._create_index(resource)
            total = 0
            actions = (self._action(resource, new_index, doc) for doc in documents)
            for _ok, _ in streaming_bulk(self.client, actions, chunk_size=1000, raise_on_error=True):
                total += 1
                if progress and total % 1000 == 0:
                    progress(1000)
            if progress and total % 1000:
                progress(total % 1000)
            self.client.indices.refresh(index=new_index)
            try:
                old = list(self.client.indices.get_alias(name=alias))
            except NotFoundError:
                old = []
            swap = [{"remove": {"index": name, "alias": alias}} for name in old] + [{"add": {"index": new_index, "alias": alias}}]
            self.client.indices.update_aliases(actions=swap)
            for name in old:
                self.client.indices.delete(index=name)
            self._incomplete.pop(resource, None)
            return total
        except (ApiError, TransportError) as error:
            raise EngineUnavailable(str(error)) from error

    # ------------------------------------------------------------------ reads

    def count(self, resource: str) -> int:
        try:
            return int(self.client.count(index=self.alias(resource))["count"])
        except (ApiError, TransportError) as error:
            raise EngineUnavailable(str(error)) from error

    def document_frequencies(self, resource: str, fields: Sequence[str], terms: Iterable[str]) -> dict[str, int]:
        terms = list(dict.fromkeys(terms))
        if not terms:
            return {}
        # One request: a filters aggregation counts every term's documents at once.
        buckets = {str(i): {"bool": {"should": [{"term": {field: term}} for field in fields]}}
                   for i, term in enumerate(terms)}
        try:
            response = self.client.search(index=self.alias(resource), size=0,
                                          aggs={"df": {"filters": {"filters": buckets}}})
        except (ApiError, TransportError) as error:
            raise EngineUnavailable(str(error)) from error
        counts = response["aggregations"]["df"]["buckets"]
        return {term: int(counts[str(i)]["doc_count"]) for i, term in enumerate(terms)}

    def _run(self, request: SearchRequest, tokens: list[tuple[str, float]]):
        filter_clause = self._filter(request.resource, request.filters or MatchAll())
        if tokens:
            fields = search_fields(request)
            per_term = [[{"term": {field: {"value": term, "boost": boost * weight}}} for field, boost in fields.items()]
                        for term, weight in tokens]
            if request.operator == "and":
                query = {"bool": {"must": [{"bool": {"should": group}} for group in per_term], "filter": [filter_clause]}}
            else:
                should = [clause for group in per_term for clause in group]
                query = {"bool": {"should": should, "minimum_should_match": 1, "filter": [filter_clause]}}
        else:
            query = {"bool": {"filter": [filter_clause]}}
        body = {
            "query": query,
            "from": request.offset,
            "size": request.per_page,
            "track_total_hits": True,
            "sort": self._sort(request, bool(tokens)),
            "_source": ["source"] if request.source else False,
        }
        if request.facets:
            body["aggs"] = {field: {"terms": {"field": field, "size": 200}} for field in request.facets}
        if request.resource in self._incomplete:
            raise IndexDamaged(f"{request.resource}: {self._incomplete[request.resource]}")
        try:
            response = self.client.search(index=self.alias(request.resource), body=body)
        except (ApiError, TransportError) as error:
            raise EngineUnavailable(str(error)) from error
        hits = [RawHit(id=int(hit["_id"]), score=float(hit.get("_score") or 0.0) if tokens and request.sort == "relevance" else 0.0,
                       source=hit["_source"]["source"] if request.source else {}) for hit in response["hits"]["hits"]]
        facets = {
            field: [(bucket["key"], bucket["doc_count"]) for bucket in response["aggregations"][field]["buckets"]]
            for field in request.facets
        }
        return int(response["hits"]["total"]["value"]), hits, facets

    @staticmethod
    def _sort(request: SearchRequest, has_text: bool) -> list:
        sort = request.sort
        if sort == "relevance" and has_text:
            return [{"_score": "desc"}, {"id": "asc"}]
        if sort in ("price_asc", "price_desc"):
            order = "asc" if sort == "price_asc" else "desc"
            return [{PRICE_FIELDS[request.resource]: {"order": order, "missing": "_last"}}, {"id": "asc"}]
        return [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]

    def _filter(self, resource: str, node: Filter) -> dict:
        """Translate a :mod:`search.query` filter into Elasticsearch query DSL."""
        if isinstance(node, MatchAll):
            return {"match_all": {}}
        if isinstance(node, Term):
            if not node.values:
                return {"bool": {"must_not": [{"match_all": {}}]}}
            kind = spec(resource).field_kind(node.field)
            values = [int(v) for v in node.values] if kind == "integer" else [str(v) for v in node.values]
            return {"terms": {node.field: values}}
        if isinstance(node, Range):
            bounds = {key: value for key, value in (("gte", node.gte), ("lte", node.lte)) if value is not None}
            return {"range": {node.field: bounds}} if bounds else {"match_all": {}}
        if isinstance(node, And):
            return {"bool": {"filter": [self._filter(resource, p) for p in node.parts]}}
        if isinstance(node, Or):
            if not node.parts:
                return {"bool": {"must_not": [{"match_all": {}}]}}
            return {"bool": {"should": [self._filter(resource, p) for p in node.parts], "minimum_should_match": 1}}
        if isinstance(node, Not):
            return {"bool": {"must_not": [self._filter(resource, node.part)]}}
        raise TypeError(f"unsupported filter {node!r}")
