"""Match features and their weighted sum, with the facts an explanation is written from.

Every feature maps to [0, 1]; a feature that cannot be judged (no data on one side) is *unknown* and is left
out of the weighted mean altogether, so missing data neither wins nor loses a match (on real listings most
fields are empty: a neutral 0.5 only flattened the scores). Weights come from configuration
(``MATCH_WEIGHTS``). Each feature carries ``detail``: language-neutral facts (codes, numbers) that
:mod:`.explain` turns into sentences in the viewer's language.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.listings.models import MATURITY_ORDER
from app.matching.indicators import check


@dataclass
class Feature:
    """One feature's value in [0, 1] (None = unknown) and the facts behind it."""

    value: float | None
    detail: dict = field(default_factory=dict)


@dataclass
class MatchResult:
    """A scored candidate with its explanation."""

    obj: object
    score: float
    explanation: dict = field(default_factory=dict)


# Features that say whether a candidate is about the same thing, and features that say whether it fits the
# buyer's conditions. Fit only scales relevance: a patent that meets every condition but is about something
# else must not rank (seen on real listings, where fit fields are filled and topic signals are weak).
TOPIC = ("lexical", "semantic", "classification")
FIT = ("indicators", "maturity", "price", "region")


def _mean(features: dict[str, Feature], names, weights: dict[str, float]) -> tuple[float | None, float]:
    """Weighted mean of the known features among ``names`` and the weight they carry."""
    known = [n for n in names if n in features and features[n].value is not None and weights.get(n, 0.0) > 0]
    total = sum(weights[n] for n in known)
    if not total:
        return None, 0.0
    return sum(weights[n] * max(0.0, min(1.0, features[n].value)) for n in known) / total, total


def combine(features: dict[str, Feature], weights: dict[str, float],
            explain: bool = True) -> tuple[float, dict | None]:
    """Relevance (topic features) scaled by fit: ``R × (1 − s + s × F)``, where ``s`` is the fit features'
    share of the weights; unknown features weigh nothing. Returns the score and the per-feature breakdown,
    whose contributions add up to the score (None unless ``explain``)."""
    relevance, topic_weight = _mean(features, TOPIC, weights)
    fit, fit_weight = _mean(features, FIT, weights)
    relevance = relevance or 0.0
    share = fit_weight / (topic_weight + fit_weight) if fit is not None and topic_weight else 0.0
    scale = 1 - share + share * (fit or 0.0)
    if not explain:
        return round(relevance * scale, 4), None
    breakdown = {}
    for name, feature in features.items():
        known = feature.value is not None and weights.get(name, 0.0) > 0
        value = max(0.0, min(1.0, feature.value)) if feature.value is not None else None
        if not known:
            weight = contribution = 0.0
        elif name in FIT:
            weight = share * weights[name] / fit_weight
            contribution = relevance * weight * value
        else:
            weight = weights[name] / topic_weight
            contribution = weight * value * (1 - share)
        breakdown[name] = {"value": None if value is None else round(value, 4), "known": known,
                           "weight": round(weight, 4), "contribution": round(contribution, 4),
                           "detail": feature.detail}
    return round(relevance * scale, 4), breakdown


def maturity_fit(offered: str | None, required: str | None) -> Feature:
    """1 when the offered maturity reaches the required one, 0.5 one stage short, else 0."""
    if not offered or not required:
        return Feature(None)
    gap = MATURITY_ORDER.index(required) - MATURITY_ORDER.index(offered)
    value = 1.0 if gap <= 0 else 0.5 if gap == 1 else 0.0
    return Feature(value, {"offered": offered, "required": required})


def price_fit(price: float | None, budget_min: float | None, budget_max: float | None) -> Feature:
    """1 within budget; decreasing linearly to 0 at twice the budget; unknown when either is missing."""
    if price is None or budget_max is None:
        return Feature(None)
    detail = {"price": price, "budget_max": budget_max}
    if price <= budget_max:
        return Feature(1.0, detail)
    over = (price - budget_max) / budget_max if budget_max else 1.0
    return Feature(max(0.0, 1.0 - over), detail)


def region_fit(a: str | None, b: str | None) -> Feature:
    """Same region scores 1 (site visits, pilot runs and support are easier); different regions 0.3."""
    if not a or not b:
        return Feature(None)
    return Feature(1.0 if a == b else 0.3, {"regions": [a, b]})


class ClassificationConsensus:
    """IPC codes the best lexical candidates agree on, each weighted by those candidates' scores.

    A short demand rarely names its IPC class, but the patents that match its words best usually share
    one: codes voted for by the top candidates pull up other candidates in the same technical field
    (pseudo-relevance feedback over the classification). A candidate's own vote is left out, so the
    best lexical match is not rewarded twice for its words.
    """

    def __init__(self, voters: dict[int, tuple[list[str], float]]):
        # Votes go to IPC subclasses (H01M): full groups are too specific for neighbours to share.
        self.voters = {i: ({code[:4] for code in codes}, score) for i, (codes, score) in voters.items()}
        self.votes: dict[str, float] = {}
        for codes, score in self.voters.values():
            for code in codes:
                self.votes[code] = self.votes.get(code, 0.0) + score
        self.top = max(self.votes.values(), default=0.0)

    def for_candidate(self, candidate_id: int, codes: list[str] | None = None) -> dict[str, float]:
        """The consensus without ``candidate_id``'s own vote, scaled to [0, 1] (only for the subclasses of
        ``codes`` when given: all :func:`classification_fit` reads)."""
        if not self.top:
            return {}
        own_codes, own_score = self.voters.get(candidate_id, ((), 0.0))
        own_codes = set(own_codes)
        wanted = self.votes if codes is None else {c[:4] for c in codes} & self.votes.keys()
        return {code: max(0.0, self.votes[code] - (own_score if code in own_codes else 0.0)) / self.top
                for code in wanted}


def classification_fit(own_codes: list[str], candidate_codes: list[str], consensus: dict[str, float],
                       industry_a: str | None, industry_b: str | None) -> Feature:
    """Technical-field fit: shared IPC subclasses with the source, or the field its best matches agree on.

    Falls back to the industry when neither side has IPC codes.
    """
    values, detail = [], {}
    own, theirs = {c[:4] for c in own_codes}, {c[:4] for c in candidate_codes}
    if own and theirs:
        shared = own & theirs
        values.append(len(shared) / len(own | theirs))
        detail["shared_subclasses"] = sorted(shared)
    if consensus and theirs:
        best = max(sorted(theirs), key=lambda code: consensus.get(code, 0.0))
        if consensus.get(best, 0.0) > 0:
            values.append(consensus[best])
            detail["consensus_code"] = best
    if values:
        return Feature(max(values), detail)
    if industry_a and industry_b:
        return Feature(1.0 if industry_a == industry_b else 0.0, {"industries": [industry_a, industry_b]})
    return Feature(None)


def indicator_fit(targets, offered_rows, offered_text: str) -> tuple[Feature, list[dict]]:
    """Share of the demand's indicators the patent meets (unknown counts half); the checks for display."""
    if not targets:
        return Feature(None), []
    checks = [check(target, offered_rows, offered_text) for target in targets]
    judged = [c for c in checks if c.result != "unknown"]
    met = sum(c.result == "met" for c in judged)
    value = met / len(judged) if judged else None  # nothing stated either way: unknown, not half
    return Feature(value, {"met": met, "judged": len(judged), "checked": len(checks)}), [c.as_dict() for c in checks]
