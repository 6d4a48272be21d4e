"""How each resource is indexed, read from the versioned mapping files in ``search/mappings/``.

The Elasticsearch engine sends those files as they are; the tantivy engine builds its schema from the
same field list, so both engines index the same fields the same way. ``index_fields`` turns a search
document (the resource schema's dump) into the analysed field values both engines store.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from .analysis import analyze_normal, normalise

MAPPINGS_DIR = Path(__file__).parent / "mappings"
BUILT_IN = ("patents", "demands", "services")
_extra_mappings: dict[str, Path] = {}  # resource → mapping file, for resources declared outside this package
SUGGEST_PREFIX_MAX = 12  # characters of a title offered as completion prefixes


@dataclass(frozen=True)
class Spec:
    """One resource's index layout: mapping version, text fields with boosts, typed filter fields.

    ``boosts`` are the word fields a search box queries.
    """

    resource: str
    version: int
    mapping: dict
    boosts: dict[str, float]
    keywords: tuple[str, ...]
    integers: tuple[str, ...]
    floats: tuple[str, ...]
    dates: tuple[str, ...]

    @property
    def text_fields(self) -> tuple[str, ...]:
        return tuple(self.boosts)

    def field_kind(self, field: str) -> str:
        """``keyword``, ``integer``, ``float``, ``date`` or ``text``; unknown fields raise ``KeyError``."""
        for kind, names in (("keyword", self.keywords), ("integer", self.integers), ("float", self.floats),
                            ("date", self.dates), ("text", self.text_fields)):
            if field in names:
                return kind
        raise KeyError(f"{self.resource} has no indexed field {field!r}")


def new_index_name(base: str, resource: str) -> str:
    """A fresh name for an index of ``resource``: ``base``, the current mapping version and a stamp (both engines
    name their indexes so; :func:`outdated` reads the version back)."""
    return f"{base}-v{spec(resource).version}-{time.time_ns()}"


def outdated(resource: str, index_name: str) -> str | None:
    """Why the index named ``index_name`` (see :func:`new_index_name`) no longer fits ``resource``'s current
    mapping, or None. A new mapping version also marks a change of analysis: documents indexed with the old
    tokens would miss queries analysed with the new ones until a reindex."""
    match = re.search(r"-v(\d+)-\d+$", index_name)
    built, current = (int(match.group(1)) if match else None), spec(resource).version
    if built == current:
        return None
    return f"{resource}: index built for mapping v{built}, the current one is v{current} (reindex)"


def resources() -> tuple[str, ...]:
    """Every resource with a mapping: the built-in ones and those registered by the application."""
    return BUILT_IN + tuple(r for r in _extra_mappings if r not in BUILT_IN)


def register_mapping(resource: str, path: Path) -> None:
    """Index ``resource`` with the mapping file at ``path`` (same format as ``mappings/*.json``)."""
    _extra_mappings[resource] = Path(path)
    spec.cache_clear()


def unregister_mapping(resource: str) -> None:
    """Forget a registered resource."""
    if _extra_mappings.pop(resource, None) is not None:
        spec.cache_clear()


@cache
def spec(resource: str) -> Spec:
    """The current spec of ``resource`` (the highest mapping version on disk, or its registered file)."""
    path = _extra_mappings.get(resource) or max(MAPPINGS_DIR.glob(f"{resource}.v*.json"),
                                                key=lambda p: int(p.stem.rsplit(".v", 1)[1]))
    mapping = json.loads(path.read_text(encoding="utf-8"))
    meta = mapping["mappings"]["_meta"]
    by_type: dict[str, list[str]] = {}
    for name, prop in mapping["mappings"]["properties"].items():
        by_type.setdefault(prop["type"], []).append(name)
    return Spec(
        resource=resource,
        version=meta["version"],
        mapping=mapping,
        boosts={name: float(boost) for name, boost in meta["boosts"].items()},
        keywords=tuple(by_type.get("keyword", ())),
        integers=tuple(by_type.get("long", ())),
        floats=tuple(by_type.get("double", ())),
        dates=tuple(by_type.get("date", ())),
    )


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def suggest_prefixes(normal_title: str) -> list[str]:
    """Prefixes of a normalised title, so typing ``深度学`` completes ``深度学习…`` (space-free, case-folded)."""
    compact = "".join(normal_title.split())
    return [compact[:n] for n in range(1, min(len(compact), SUGGEST_PREFIX_MAX) + 1)]


def index_fields(resource: str, doc: dict) -> dict[str, list]:
    """The values each indexed field takes for ``doc``: analysed text, keyword strings, numbers, dates."""
    s = spec(resource)
    derived = dict(doc)
    ipc = doc.get("ipc") or []
    derived.setdefault("ipc_section", sorted({code[:1] for code in ipc}))
    derived.setdefault("ipc_class", sorted({code[:3] for code in ipc}))
    normal_forms: dict[str, str] = {}  # the title feeds its words and its prefixes: normalised once

    def normal(text: str) -> str:
        form = normal_forms.get(text)
        if form is None:
            form = normal_forms[text] = normalise(text)
        return form

    derived["suggest"] = suggest_prefixes(normal(doc.get("title") or ""))
    fields: dict[str, list] = {}
    for name in s.boosts:
        text = " ".join(str(v) for v in _as_list(derived.get(name)) if v)
        fields[name] = [" ".join(analyze_normal(normal(text)))] if text else []
    for name in s.keywords:
        fields[name] = [str(v) for v in _as_list(derived.get(name)) if v not in (None, "")]
    for name in s.integers:
        fields[name] = [int(v) for v in _as_list(derived.get(name))]
    for name in s.floats:
        fields[name] = [float(v) for v in _as_list(derived.get(name))]
    for name in s.dates:
        fields[name] = [to_datetime(v) for v in _as_list(derived.get(name))]
    return fields


def to_datetime(value) -> datetime:
    """A date or ISO string as a naive UTC datetime (the form both engines compare)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
