"""Ranking metrics with binary relevance: nDCG@10, MRR@10, Recall@100."""
from __future__ import annotations

import math


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    gains = sum(1 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gains / ideal if ideal else 0.0


def mrr_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    return next((1 / (i + 1) for i, doc in enumerate(ranked[:k]) if doc in relevant), 0.0)


def recall_at(ranked: list[str], relevant: set[str], k: int = 100) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def summarise(runs: list[tuple[list[str], set[str]]]) -> dict[str, float]:
    """Mean metrics over ``(ranked ids, relevant ids)`` pairs."""
    n = len(runs) or 1
    return {
        "ndcg@10": round(sum(ndcg_at(r, rel) for r, rel in runs) / n, 4),
        "mrr@10": round(sum(mrr_at(r, rel) for r, rel in runs) / n, 4),
        "recall@100": round(sum(recall_at(r, rel) for r, rel in runs) / n, 4),
    }
