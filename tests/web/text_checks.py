"""What a reader must never meet in a page's text: internal codes and Python literals (``RAW``), and, in the
Chinese interface, English sentences of the message catalogue left untranslated (``untranslated_in``)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

# Enum values, field and action names, Python literals, floats with a spurious ".0", a bare UTC.
RAW = re.compile(r"\b(None|True|False|needs_revision|exclusive_licence|sole_licence|non_exclusive_licence|"
                 r"utility_model|small_batch|mass_production|org_admin|platform_admin|service_provider|"
                 r"verification_status|price_negotiable|coop_modes|legal_status|patent_type|"
                 r"organisation\.verify|patents\.approve|demands\.revise)\b|\{'|(?<![A-Z]{2}\d{11})\d\.0\b(?![.\d])|\bUTC\b")
CATALOGUE = Path(__file__).parents[2] / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=1)
def english_fragments() -> frozenset[str]:
    """Every catalogue message's longest literal piece of two words or more (placeholders cut out)."""
    with open(CATALOGUE, "rb") as po:
        catalogue = read_po(po)
    fragments = set()
    for message in catalogue:
        for msgid in ([message.id] if isinstance(message.id, str) else list(message.id or [])):
            pieces = [p.strip(" .:,;…") for p in re.split(r"%\(\w+\)[sdf]|%[sd]|\.\d+f", msgid or "")]
            longest = max(pieces, key=len, default="")
            if len(longest) >= 12 and " " in longest and re.fullmatch(r"[A-Za-z ,.'’&()/-]+", longest):
                fragments.add(longest)
    return frozenset(fragments)


def untranslated_in(text: str) -> list[str]:
    """The catalogue's English messages that appear, untranslated, in ``text``."""
    return sorted(fragment for fragment in english_fragments() if fragment in text)


def visible_text(html: str) -> str:
    """The visible text of a page: tags, scripts and styles dropped, whitespace folded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&").replace("&#39;", "'")
