"""A match's explanation in words, in the reader's language.

The matcher stores language-neutral facts (:mod:`.service`: key terms and where they were found, cosines,
IPC codes, indicator checks, maturity codes, amounts); this module words them with the shared formatting
layer, so the same stored match reads in Chinese or English, with labels instead of codes and money in
元 / 万元.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.formatting import format_money, ipc_label, is_english, label

# Calibrated semantic value (cosine stretched onto [0, 1]) from which similarity reads high / medium.
SEMANTIC_LEVELS = ((0.6, _l("high")), (0.3, _l("medium")), (0.0, _l("low")))
PART_LABELS = {"title": _l("title"), "keywords": _l("keywords"), "body": _l("description")}
RESULT_LABELS = {"met": _l("met"), "not_met": _l("not met"), "unknown": _l("not stated")}
FEATURE_LABELS = {"lexical": _l("Key terms"), "semantic": _l("Meaning"), "classification": _l("Technical field"),
                  "indicators": _l("Technical indicators"), "maturity": _l("Maturity"), "price": _l("Price and budget"),
                  "region": _l("Region")}


def _join(items) -> str:
    return (", " if is_english() else "、").join(str(item) for item in items)


def semantic_level(value: float | None) -> str | None:
    """"high", "medium" or "low" (translated) for a calibrated semantic value; None when unknown."""
    if value is None:
        return None
    return str(next(word for floor, word in SEMANTIC_LEVELS if value >= floor))


def sentences(explanation: dict) -> list[dict]:
    """The explanation as labelled sentences: ``[{"feature", "label", "text"}]`` for every known feature."""
    features = explanation.get("features", {})
    lines = []
    matched = explanation.get("matched") or []
    if matched:
        found = _join(_("%(term)s (in the %(parts)s)", term=m["term"], parts=_join(PART_LABELS[p] for p in m["in"]))
                      for m in matched)
        lines.append(("lexical", found))
    semantic = features.get("semantic", {})
    if semantic.get("known"):
        lines.append(("semantic", _("similarity %(level)s", level=semantic_level(semantic["value"]))))
    lines.extend(_field_lines(features))
    return [{"feature": name, "label": str(FEATURE_LABELS[name]), "text": text} for name, text in lines]


def _field_lines(features: dict) -> list[tuple[str, str]]:
    lines = []
    detail = features.get("classification", {}).get("detail") or {}
    if detail.get("shared_subclasses"):
        lines.append(("classification", _("same IPC field: %(fields)s",
                                          fields=_join(ipc_label(code) for code in detail["shared_subclasses"]))))
    elif detail.get("consensus_code"):
        lines.append(("classification", _("in the field of the best matches: %(field)s",
                                          field=ipc_label(detail["consensus_code"]))))
    elif detail.get("industries"):
        lines.append(("classification", _join(label("industry", i) for i in detail["industries"])))
    detail = features.get("indicators", {}).get("detail") or {}
    if detail.get("judged") == 0:
        lines.append(("indicators", _("none of the %(checked)s wanted indicators is stated", checked=detail["checked"])))
    elif detail:
        lines.append(("indicators", _("%(met)s of %(checked)s wanted indicators met", met=detail["met"],
                                      checked=detail.get("judged", detail["checked"]))))
    detail = features.get("maturity", {}).get("detail") or {}
    if detail:
        lines.append(("maturity", _("%(offered)s (wanted: %(required)s)", offered=label("maturity", detail["offered"]),
                                    required=label("maturity", detail["required"]))))
    detail = features.get("price", {}).get("detail") or {}
    if detail:
        within = detail["price"] <= detail["budget_max"]
        template = _("%(price)s, within the budget of %(budget)s") if within else _("%(price)s, above the budget of %(budget)s")
        lines.append(("price", template % {"price": format_money(detail["price"]), "budget": format_money(detail["budget_max"])}))
    detail = features.get("region", {}).get("detail") or {}
    if detail:
        a, b = detail["regions"]
        lines.append(("region", _("both in %(region)s", region=a) if a == b else _join([a, b])))
    return lines


def indicator_rows(explanation: dict) -> list[dict]:
    """The indicator checks with their result as a word."""
    return [{**check, "result_label": str(RESULT_LABELS.get(check["result"], check["result"]))}
            for check in explanation.get("indicators") or []]
