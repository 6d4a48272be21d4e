"""Development benchmark sets built from the shared public data (never from the held-out private data).

- ``patents_cpc``: each validation-split patent's shortened title is a query; the relevant documents are
  the other patents sharing its first CPC subgroup (derived from Google Patents data, CC BY 4.0).
- ``csl_keywords``: a CSL paper's keywords are the query; the paper itself is the relevant document
  (CSL, Apache-2.0). Keywords are not indexed, so the query must be found in title and abstract.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TITLE_NOISE = re.compile(r"^(一种|一類|基于)|(的)?(方法|系统|装置|设备|介质|终端|程序产品|存储介质)(及|、|和|与)?")


@dataclass
class BenchSet:
    """Documents (``external_id`` → {title, abstract, ipc}) and queries with their relevant ids."""

    name: str
    documents: dict[str, dict]
    queries: list[tuple[str, str, set[str]]]  # (query id, text, relevant external ids)


def shorten_title(title: str) -> str:
    """A patent title without its boilerplate (一种…的方法及系统), as a person would type it."""
    return TITLE_NOISE.sub(" ", title).strip() or title


def patents_cpc(limit_queries: int | None = None) -> BenchSet:
    rows = [json.loads(line) for line in (DATA / "cn_g06f_patents" / "patents.jsonl").open(encoding="utf-8")]
    documents = {row["publication_number"]: {"title": row["title"], "abstract": row["abstract"],
                                             "cpc": row["cpc"]} for row in rows}
    by_cpc = defaultdict(set)
    for row in rows:
        by_cpc[row["cpc"][0]].add(row["publication_number"])
    queries = []
    for row in rows:
        if row["split"] != "val":
            continue
        relevant = by_cpc[row["cpc"][0]] - {row["publication_number"]}
        if relevant:
            queries.append((row["publication_number"], shorten_title(row["title"]), relevant))
    # The query patent itself would be a trivial hit: leave validation patents out of the corpus.
    for query_id, _, _ in queries:
        documents.pop(query_id, None)
    queries = [(q, text, rel & documents.keys()) for q, text, rel in queries]
    queries = [q for q in queries if q[2]]
    return BenchSet("patents_cpc", documents, queries[:limit_queries])


def csl_keywords(limit_queries: int | None = None) -> BenchSet:
    rows = [json.loads(line) for line in (DATA / "csl" / "csl.jsonl").open(encoding="utf-8")]
    documents = {f"csl-{i}": {"title": row["title"], "abstract": row["abstract"], "cpc": []} for i, row in enumerate(rows)}
    queries = [(f"csl-{i}", " ".join(row["keywords"]), {f"csl-{i}"}) for i, row in enumerate(rows) if row["keywords"]]
    return BenchSet("csl_keywords", documents, queries[:limit_queries])
