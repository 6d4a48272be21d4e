"""Query understanding: what of a long listing text is worth searching for.

A demand's title names the need in a few decisive words; its description explains it in many ordinary ones.
Thrown at the engine whole, the description drowns the title (measured on the real demands of
``bench``: title alone beats title + description). So a listing becomes a :class:`QueryPlan`:

* the title's informative words,
* a few **key phrases** of the description: its words ranked by TF-IDF, with document frequencies taken
  from the counterpart index itself (so "key" means "rare where we search", not in some other corpus). A title
  word may be one of them: a word the description keeps using is what the listing is about, and searching it
  again weighs it more, as a repeated query word does (dev benchmark: matcher nDCG@10 0.169 → 0.175 against
  key phrases drawn only from words the title lacks, both halves of the split better),
* the listing's **whole text as an e5 passage** (title, keywords, the start of the body), compared with the
  counterparts' titles, which are embedded as e5 queries: e5's own retrieval setting, a short query against the
  passage that answers it, so a description's meaning counts without its words drowning the title (dev
  benchmark: matcher nDCG@10 0.176 → 0.186, both halves of the split better). Only where the direction asks
  for it (a patent's abstract would cost a third of a second of model time per patent),
* a domain stop-list: words in more than :data:`GENERIC_SHARE` of the counterpart documents (方法, 技术,
  系统 …) are never searched for nor shown as matched terms. Until an index is big enough for its own
  statistics (:data:`MIN_DOCS_FOR_STATS`) a list derived the same way from public patent and paper
  abstracts stands in (``search/dictionary/generic_terms.txt``).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from search.analysis import GENERIC_SHARE, analyze, static_generic_terms, words

MIN_DOCS_FOR_STATS = 1000  # below this the index's own frequencies are too noisy to call a word generic
KEY_PHRASES = 3            # more phrases dilute the title (dev benchmark: 3 beat 5 and 8)
MAX_BODY_CHARS = 2000
# The passage is cut here: about 0.34 s of model time on one core; 200 or 800 characters measured the same.
PASSAGE_CHARS = 400


class SemanticQuery(NamedTuple):
    """A text the embedding model reads, and how: as an e5 ``"query"`` or as a ``"passage"``."""

    kind: str
    text: str


@dataclass(frozen=True)
class QueryPlan:
    """The searchable parts of one listing: title words, key phrases, the texts the model compares."""

    title: str
    title_terms: tuple[str, ...]
    phrases: tuple[str, ...]
    idf: dict[str, float] = field(default_factory=dict, compare=False)
    passage: str = ""

    @property
    def key_terms(self) -> tuple[str, ...]:
        """Every word the plan searches for, once: title words first, then key phrases."""
        return tuple(dict.fromkeys(self.title_terms + self.phrases))

    @property
    def semantic_text(self) -> str:
        """The title with its key phrases: the second semantic query."""
        return " ".join((self.title, *self.phrases))

    @property
    def semantic_queries(self) -> tuple[SemanticQuery, ...]:
        """What the semantic feature compares counterparts' vectors with: the title, the title with its key
        phrases and, when the plan has one, the whole text as a passage."""
        queries = [SemanticQuery("query", self.title), SemanticQuery("query", self.semantic_text)]
        if self.passage:
            queries.append(SemanticQuery("passage", self.passage))
        return tuple(dict.fromkeys(queries))


class Vocabulary:
    """Document frequencies of one counterpart resource, as the engine counts them."""

    def __init__(self, engine, resource: str, fields: tuple[str, ...]):
        self.engine, self.resource, self.fields = engine, resource, fields
        self.size = engine.count(resource)

    def frequencies(self, terms) -> dict[str, int]:
        """Documents containing each term in any of the fields, approximated by the largest per-field count.

        Per field, both engines answer from their term dictionaries (exact and fast); a listing known only by
        its title has no body, so its words must count too.
        """
        terms = list(dict.fromkeys(terms))
        counts = [self.engine.document_frequencies(self.resource, [field], terms) for field in self.fields]
        return {term: max(c.get(term, 0) for c in counts) for term in terms}

    def generic(self, df: dict[str, int]) -> set[str]:
        """Words too common to search for: the index's own frequent words, or the shipped list while it is small."""
        if self.size >= MIN_DOCS_FOR_STATS:
            return {term for term, count in df.items() if count > GENERIC_SHARE * self.size}
        return set(df) & static_generic_terms()

    def idf(self, count: int) -> float:
        """BM25's inverse document frequency."""
        return math.log(1 + (self.size - count + 0.5) / (count + 0.5))


def plan_query(title: str, body: str, keywords: list[str], vocabulary: Vocabulary,
               passage: bool = False) -> QueryPlan:
    """The :class:`QueryPlan` of a listing with ``title``, ``body`` and ``keywords`` against ``vocabulary``;
    with a ``passage`` when asked and the listing has a body (a title alone says nothing more as a passage)."""
    title_words = list(dict.fromkeys(analyze(title)))
    body_words = words(" ".join([*keywords, body[:MAX_BODY_CHARS]]))
    df = vocabulary.frequencies(title_words + body_words)
    generic = vocabulary.generic(df)
    title_terms = tuple(w for w in title_words if w not in generic)
    counts = Counter(w for w in body_words if w not in generic and df.get(w, 0) > 0)
    ranked = sorted(counts, key=lambda w: (-counts[w] * vocabulary.idf(df[w]), w))
    idf = {w: vocabulary.idf(df.get(w, 0)) for w in (*title_terms, *ranked)}
    whole_text = "。".join(part for part in (title, " ".join(keywords), body) if part)
    return QueryPlan(title=title, title_terms=title_terms, phrases=tuple(ranked[:KEY_PHRASES]), idf=idf,
                     passage=whole_text[:PASSAGE_CHARS] if passage and body.strip() else "")
