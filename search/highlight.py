"""Highlighted snippets, computed in our code so both engines return the same fragments.

Query tokens are looked up in a normalised copy of the stored text that keeps one character per original
character, so marks land on the original (traditional, full-width, mixed-case) text. Output is HTML:
the text escaped, matches wrapped in ``<mark>``.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache

from .analysis import _converter, half_width

FRAGMENT_CHARS = 90
MAX_FRAGMENTS = 2
# markupsafe.escape's replacements, applied with one str.translate (its Markup objects cost more than the text)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})
_MARKUP = re.compile("[&<>'\"]")  # texts without these (most) are cut into fragments without escaping


def _aligned_normal_form(text: str) -> str:
    """``text`` normalised like :func:`search.analysis.normalise` but with the same length."""
    folded = unicodedata.normalize("NFKC", half_width(text)).casefold()
    if len(folded) == len(text):  # the common case: every character maps to one character
        converted = _converter().convert(folded)
        return converted if len(converted) == len(folded) else folded
    chars = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char).casefold()
        chars.append(folded if len(folded) == 1 else char)
    folded = "".join(chars)
    converted = _converter().convert(folded)
    return converted if len(converted) == len(folded) else folded


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One alternation of the terms, longest first, so the longest term wins where several start."""
    return re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)))


def highlight(text: str | None, terms: list[str], fragment_chars: int = FRAGMENT_CHARS,
              max_fragments: int = MAX_FRAGMENTS) -> list[str]:
    """Up to ``max_fragments`` HTML fragments of ``text`` with ``terms`` marked; [] when nothing matches.

    Matches are read only as far as the last fragment reaches: a long abstract's later matches are never shown.
    """
    if not text or not terms:
        return []
    spans = _merged(_pattern(tuple(sorted(set(terms)))).finditer(_aligned_normal_form(text)))
    escape = _escape if _MARKUP.search(text) else _as_is
    fragments: list[str] = []
    seen: list[tuple[int, int]] = []  # spans read so far (sorted and disjoint: their starts and stops ascend)
    following = next(spans, None)  # the first span not inside a fragment yet
    while following is not None and len(fragments) < max_fragments:
        begin = max(0, following[0] - fragment_chars // 4)
        end = min(len(text), begin + fragment_chars)
        while following is not None and following[0] < end:
            seen.append(following)
            following = next(spans, None)
        # the spans reaching into the fragment, an earlier fragment's last ones included
        inside = seen[bisect_right([stop for _, stop in seen], begin):]
        fragments.append(_render(text, inside, begin, end, escape))
    return fragments


def _merged(matches: Iterator[re.Match]) -> Iterator[tuple[int, int]]:
    """Match spans with touching or overlapping ones joined into one (finditer's never overlap but may touch)."""
    current = None
    for match in matches:
        start, end = match.span()
        if current is not None and start <= current[1]:
            current = (current[0], max(end, current[1]))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _as_is(text: str) -> str:
    return text


def _render(text: str, spans: list[tuple[int, int]], begin: int, end: int, escape) -> str:
    """``text[begin:end]`` escaped, with the parts inside ``spans`` wrapped in ``<mark>``."""
    parts, position = [], begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:stop])}</mark>")
        position = stop
    parts.append(escape(text[position:end]))
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(parts) + suffix
