"""Ranking metrics: nDCG@10 (graded: linear gains), MRR@10, Recall@100.

``relevant`` maps document id → gain (> 0 means relevant); a plain set counts every member as gain 1.
"""
from __future__ import annotations

import math
from collections.abc import Mapping


def _gains(relevant) -> Mapping[str, float]:
    if isinstance(relevant, Mapping):
        return {doc: gain for doc, gain in relevant.items() if gain > 0}
    return dict.fromkeys(relevant, 1)


def ndcg_at(ranked: list[str], relevant, k: int = 10) -> float:
    gains = _gains(relevant)
    found = sum(gains.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:k]))
    return found / ideal if ideal else 0.0


def mrr_at(ranked: list[str], relevant, k: int = 10) -> float:
    gains = _gains(relevant)
    return next((1 / (i + 1) for i, doc in enumerate(ranked[:k]) if doc in gains), 0.0)


def recall_at(ranked: list[str], relevant, k: int = 100) -> float:
    gains = _gains(relevant)
    return len(set(ranked[:k]) & gains.keys()) / len(gains) if gains else 0.0


def summarise(runs) -> dict[str, float]:
    """Mean metrics over ``(ranked ids, relevant)`` pairs."""
    n = len(runs) or 1
    return {
        "ndcg@10": round(sum(ndcg_at(r, rel) for r, rel in runs) / n, 4),
        "mrr@10": round(sum(mrr_at(r, rel) for r, rel in runs) / n, 4),
        "recall@100": round(sum(recall_at(r, rel) for r, rel in runs) / n, 4),
    }
