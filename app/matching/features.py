"""Match features and their weighted sum, with an explanation a person can read.

Every feature maps to [0, 1]; a feature that cannot be judged (no data on one side) is *unknown* and
scores a neutral 0.5, so missing data neither wins nor loses a match. The score is the weighted mean
(weights from configuration, ``MATCH_WEIGHTS``); the explanation lists each feature's value, weight and
contribution, the matched terms and every indicator checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..listings.models import MATURITY_ORDER
from .indicators import check

NEUTRAL = 0.5


@dataclass
class Feature:
    """One feature's value in [0, 1] (None = unknown) and a short note for the explanation."""

    value: float | None
    note: str = ""


@dataclass
class MatchResult:
    """A scored candidate with its explanation."""

    obj: object
    score: float
    explanation: dict = field(default_factory=dict)


def combine(features: dict[str, Feature], weights: dict[str, float]) -> tuple[float, dict]:
    """Weighted mean of the features and the per-feature breakdown."""
    total_weight = sum(weights.get(name, 0.0) for name in features) or 1.0
    breakdown, score = {}, 0.0
    for name, feature in features.items():
        weight = weights.get(name, 0.0) / total_weight
        value = NEUTRAL if feature.value is None else max(0.0, min(1.0, feature.value))
        contribution = weight * value
        score += contribution
        breakdown[name] = {
            "value": round(value, 4),
            "known": feature.value is not None,
            "weight": round(weight, 4),
            "contribution": round(contribution, 4),
            "note": feature.note,
        }
    return round(score, 4), breakdown


def maturity_fit(offered: str | None, required: str | None) -> Feature:
    """1 when the offered maturity reaches the required one, 0.5 one stage short, else 0."""
    if not offered or not required:
        return Feature(None, "maturity not stated")
    gap = MATURITY_ORDER.index(required) - MATURITY_ORDER.index(offered)
    value = 1.0 if gap <= 0 else 0.5 if gap == 1 else 0.0
    return Feature(value, f"{offered} vs required {required}")


def price_fit(price: float | None, budget_min: float | None, budget_max: float | None) -> Feature:
    """1 within budget; decreasing linearly to 0 at twice the budget; unknown when either is missing."""
    if price is None or budget_max is None:
        return Feature(None, "price negotiable or no budget")
    if price <= budget_max:
        return Feature(1.0, f"{price:,.0f} within budget {budget_max:,.0f}")
    over = (price - budget_max) / budget_max if budget_max else 1.0
    return Feature(max(0.0, 1.0 - over), f"{price:,.0f} exceeds budget {budget_max:,.0f}")


def region_fit(a: str | None, b: str | None) -> Feature:
    """Same region scores 1 (site visits, pilot runs and support are easier); different regions 0.3."""
    if not a or not b:
        return Feature(None, "region not stated")
    return Feature(1.0, a) if a == b else Feature(0.3, f"{a} / {b}")


class ClassificationConsensus:
    """IPC codes the best lexical candidates agree on, each weighted by those candidates' scores.

    A short demand rarely names its IPC class, but the patents that match its words best usually share
    one: codes voted for by the top candidates pull up other candidates in the same technical field
    (pseudo-relevance feedback over the classification). A candidate's own vote is left out, so the
    best lexical match is not rewarded twice for its words.
    """

    def __init__(self, voters: dict[int, tuple[list[str], float]]):
        self.voters = voters
        self.votes: dict[str, float] = {}
        for codes, score in voters.values():
            for code in set(codes):
                self.votes[code] = self.votes.get(code, 0.0) + score
        self.top = max(self.votes.values(), default=0.0)

    def for_candidate(self, candidate_id: int) -> dict[str, float]:
        """The consensus without ``candidate_id``'s own vote, scaled to [0, 1]."""
        if not self.top:
            return {}
        own_codes, own_score = self.voters.get(candidate_id, ((), 0.0))
        own_codes = set(own_codes)
        return {code: max(0.0, vote - (own_score if code in own_codes else 0.0)) / self.top
                for code, vote in self.votes.items()}


def classification_fit(own_codes: list[str], candidate_codes: list[str], consensus: dict[str, float],
                       industry_a: str | None, industry_b: str | None) -> Feature:
    """Technical-field fit: shared IPC subclasses with the source, or the field its best matches agree on.

    Falls back to the industry when neither side has IPC codes.
    """
    values, notes = [], []
    own, theirs = {c[:4] for c in own_codes}, {c[:4] for c in candidate_codes}
    if own and theirs:
        shared = own & theirs
        values.append(len(shared) / len(own | theirs))
        notes.append("IPC " + ", ".join(sorted(shared)) if shared else "no shared IPC subclass")
    if consensus and candidate_codes:
        best = max(candidate_codes, key=lambda code: consensus.get(code, 0.0))
        values.append(consensus.get(best, 0.0))
        notes.append(f"field of the best matches: {best} ({consensus.get(best, 0.0):.2f})")
    if values:
        return Feature(max(values), "; ".join(notes))
    if industry_a and industry_b:
        return Feature(1.0 if industry_a == industry_b else 0.0, f"{industry_a} / {industry_b}")
    return Feature(None, "no classification to compare")


def indicator_fit(targets, offered_rows, offered_text: str) -> tuple[Feature, list[dict]]:
    """Share of the demand's indicators the patent meets (unknown counts half); the checks for display."""
    if not targets:
        return Feature(None, "no indicators wanted"), []
    checks = [check(target, offered_rows, offered_text) for target in targets]
    points = {"met": 1.0, "not_met": 0.0, "unknown": NEUTRAL}
    value = sum(points[c.result] for c in checks) / len(checks)
    met = sum(c.result == "met" for c in checks)
    return Feature(value, f"{met}/{len(checks)} met"), [c.as_dict() for c in checks]
