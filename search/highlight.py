"""Highlighted snippets, computed in our code so both engines return the same fragments.

Query tokens are looked up in a normalised copy of the stored text that keeps one character per original
character, so marks land on the original (traditional, full-width, mixed-case) text. Output is HTML:
the text escaped, matches wrapped in ``<mark>``.
"""
from __future__ import annotations

import unicodedata

from markupsafe import escape

from .analysis import _converter

FRAGMENT_CHARS = 90
MAX_FRAGMENTS = 2


def _aligned_normal_form(text: str) -> str:
    """``text`` normalised like :func:`search.analysis.normalise` but with the same length."""
    folded = unicodedata.normalize("NFKC", text).casefold()
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


def highlight(text: str | None, terms: list[str], fragment_chars: int = FRAGMENT_CHARS,
              max_fragments: int = MAX_FRAGMENTS) -> list[str]:
    """Up to ``max_fragments`` HTML fragments of ``text`` with ``terms`` marked; [] when nothing matches."""
    if not text or not terms:
        return []
    normal = _aligned_normal_form(text)
    marked = [False] * len(text)
    for term in sorted(set(terms), key=len, reverse=True):
        start = normal.find(term)
        while start != -1:
            for i in range(start, start + len(term)):
                marked[i] = True
            start = normal.find(term, start + len(term))
    firsts = [i for i, flag in enumerate(marked) if flag and (i == 0 or not marked[i - 1])]
    if not firsts:
        return []
    fragments, covered_until = [], -1
    for first in firsts:
        if first < covered_until:
            continue
        begin = max(0, first - fragment_chars // 4)
        end = min(len(text), begin + fragment_chars)
        fragments.append(_render(text, marked, begin, end))
        covered_until = end
        if len(fragments) == max_fragments:
            break
    return fragments


def _render(text: str, marked: list[bool], begin: int, end: int) -> str:
    parts, i = [], begin
    while i < end:
        j = i
        while j < end and marked[j] == marked[i]:
            j += 1
        piece = str(escape(text[i:j]))
        parts.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(parts) + suffix
