"""Template helpers that word match explanations on every page that shows matches (listing, new deal)."""
from __future__ import annotations

from flask import Blueprint

from app.matching.explain import indicator_rows, sentences

bp = Blueprint("matching", __name__)
bp.add_app_template_global(sentences, "match_sentences")
bp.add_app_template_global(indicator_rows, "match_indicator_rows")
