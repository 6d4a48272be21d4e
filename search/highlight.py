"""Highlighted snippets, computed in our code so both engines return the same fragments.

Query tokens are looked up in a normalised copy of the stored text that keeps one character per original
character, so marks land on the original (traditional, full-width, mixed-case) text. Output is HTML:
the text escaped, matches wrapped in ``<mark>``.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache

from .analysis import _converter, half_width

FRAGMENT_CHARS = 90
MAX_FRAGMENTS = 2
# markupsafe.escape's replacements, applied with one str.translate (its Markup objects cost more than the text)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


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
    """Up to ``max_fragments`` HTML fragments of ``text`` with ``terms`` marked; [] when nothing matches."""
    if not text or not terms:
        return []
    spans = _merged(match.span() for match in _pattern(tuple(sorted(set(terms)))).finditer(_aligned_normal_form(text)))
    stops = [stop for _, stop in spans]
    fragments, covered_until = [], -1
    for first, _ in spans:
        if first < covered_until:
            continue
        begin = max(0, first - fragment_chars // 4)
        end = min(len(text), begin + fragment_chars)
        # only the spans inside the fragment (sorted and disjoint: their starts and their stops both ascend)
        fragments.append(_render(text, spans[bisect_right(stops, begin):bisect_left(spans, (end,))], begin, end))
        covered_until = end
        if len(fragments) == max_fragments:
            break
    return fragments


def _merged(spans) -> list[tuple[int, int]]:
    """Touching or overlapping spans joined into one (finditer's spans never overlap but may touch)."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: list[tuple[int, int]], begin: int, end: int) -> str:
    """``text[begin:end]`` escaped, with the parts inside ``spans`` wrapped in ``<mark>``."""
    parts, position = [], begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        parts.append(text[position:start].translate(_ESCAPES))
        parts.append(f"<mark>{text[start:stop].translate(_ESCAPES)}</mark>")
        position = stop
    parts.append(text[position:end].translate(_ESCAPES))
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(parts) + suffix
