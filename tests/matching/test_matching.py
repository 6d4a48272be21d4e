"""Matching: ranked, explained matches through the service, the API and the CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest

from app.matching import service as matching
from app.matching.features import ClassificationConsensus, Feature, classification_fit, combine
from tests.factories import identity_of, make_listing


@pytest.fixture
def market(app, app_engine, university, enterprise, provider, monkeypatch):
    monkeypatch.setitem(app.config, "EMBED_AFTER_INDEX", True)  # as in production: vectors when indexed
    battery = make_listing("patents", university, external_id="P-BAT", title="一种高镍三元正极材料的制备方法",
                           abstract="提高锂离子动力电池能量密度的正极材料制备方法，能量密度达到300Wh/kg。",
                           indicators=[{"name": "能量密度", "comparator": "eq", "value": 300, "unit": "Wh/kg"}],
                           region="江苏", price=800000)
    weak = make_listing("patents", university, external_id="P-WEAK", title="一种低能量密度铅酸电池极板",
                        abstract="铅酸电池极板的制造方法，能量密度约为40Wh/kg，成本低。", ipc=["H01M 4/14"],
                        indicators=[{"name": "能量密度", "comparator": "eq", "value": 40, "unit": "Wh/kg"}],
                        price=5000000)
    vision = make_listing("patents", university, external_id="P-VIS", title="基于深度学习的钢板表面缺陷检测方法",
                          abstract="利用卷积神经网络识别钢板表面缺陷，准确率98%。", ipc=["G06T 7/00"],
                          industry="智能制造")
    draft = make_listing("patents", university, status="draft", external_id="P-DRAFT",
                         title="草稿：固态电池正极材料", abstract="尚未公开的固态电池正极材料能量密度提升方案。")
    demand = make_listing("demands", enterprise, external_id="D-1", needs_pilot=True)
    pilot = make_listing("services", provider, title="锂电池正极材料中试线")
    lab = make_listing("services", provider, kind="inspection", title="动力电池安全检验检测实验室",
                       description="依据GB 38031开展动力电池安全检测，具备CMA、CNAS资质。")
    from app.indexing.service import drain

    drain()
    return {"battery": battery, "weak": weak, "vision": vision, "draft": draft, "demand": demand,
            "pilot": pilot, "lab": lab}


def test_demand_ranks_battery_patents_above_others_with_an_explanation(market, buyer_user):
    results = matching.matches_for(identity_of(buyer_user), matching.DEMAND_TO_PATENTS, market["demand"].id)
    ids = [r.obj.id for r in results]
    assert ids.index(market["battery"].id) < ids.index(market["vision"].id)
    assert market["draft"].id not in ids  # drafts are never matched for outsiders
    best = next(r for r in results if r.obj.id == market["battery"].id).explanation
    assert any(m["term"] == "能量密度" for m in best["matched"])
    assert best["indicators"][0]["result"] == "met"
    assert set(best["features"]) == {"lexical", "semantic", "classification", "indicators", "maturity", "price", "region"}
    assert abs(sum(f["contribution"] for f in best["features"].values()) - results[ids.index(market["battery"].id)].score) < 1e-3
    weak = next(r for r in results if r.obj.id == market["weak"].id)
    assert weak.explanation["indicators"][0]["result"] == "not_met"
    # A failed indicator and an over-budget price add nothing; the battery patent's met ones add to its score.
    for name in ("indicators", "price"):
        assert weak.explanation["features"][name]["contribution"] == 0
        assert best["features"][name]["contribution"] > 0


def test_patent_to_demands_and_demand_to_services(market, tto_user, buyer_user):
    demands = matching.matches_for(identity_of(tto_user), matching.PATENT_TO_DEMANDS, market["battery"].id)
    assert [r.obj.id for r in demands] == [market["demand"].id]
    services = matching.matches_for(identity_of(buyer_user), matching.DEMAND_TO_SERVICES, market["demand"].id,
                                    service_kind="inspection")
    assert [r.obj.id for r in services] == [market["lab"].id]


def test_matches_for_a_listing_the_viewer_cannot_see_is_404(market, client):
    response = client.get(f"/api/v1/patents/{market['draft'].id}/matches")
    assert response.status_code == 404


def test_match_api_returns_listing_json_score_and_explanation(market, client):
    body = client.get(f"/api/v1/demands/{market['demand'].id}/matches?limit=2").get_json()
    assert len(body["matches"]) == 2
    first = body["matches"][0]
    assert "confidential_details" not in first["listing"] and first["explanation"]["summary"]
    assert 0 < first["score"] <= 1 and first["explanation"]["features"]["lexical"]["known"]
    assert client.get(f"/api/v1/demands/{market['demand'].id}/matches?limit=0").status_code == 422
    kind = client.get(f"/api/v1/demands/{market['demand'].id}/service-matches?kind=bogus")
    assert kind.status_code == 422 and "kind" in str(kind.get_json())


def test_match_cli_prints_one_json_line_per_demand(app, market):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["match", "demand", "D-1", "NOPE", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert lines[0]["demand"] == "D-1" and len(lines[0]["matches"]) == 2
    # An admin tool: it ranks every patent, drafts included (imports for evaluation need not publish).
    ranked = [m["external_id"] for m in json.loads(runner.invoke(
        args=["match", "demand", "D-1", "--limit", "5", "--json"]).output)["matches"]]
    assert "P-DRAFT" in ranked and ranked.index("P-BAT") < ranked.index("P-VIS")
    assert lines[0]["matches"][0]["score"] >= lines[0]["matches"][1]["score"]
    assert "explanation" in lines[0]["matches"][0]
    assert lines[1] == {"demand": "NOPE", "error": "no demand with this external_id", "matches": []}


def test_combine_leaves_unknown_features_out_and_lets_fit_only_scale_relevance():
    weights = {"lexical": 1.0, "semantic": 1.0, "price": 1.0, "region": 1.0}
    score, breakdown = combine({"lexical": Feature(0.8), "semantic": Feature(None)}, weights)
    assert score == 0.8 and breakdown["semantic"] == {"value": None, "known": False, "weight": 0.0,
                                                      "contribution": 0.0, "detail": {}}
    assert combine({"lexical": Feature(None)}, weights)[0] == 0.0
    # Perfect fit cannot lift an irrelevant candidate; poor fit lowers a relevant one.
    assert combine({"lexical": Feature(0.0), "price": Feature(1.0)}, weights)[0] == 0.0
    relevant, breakdown = combine({"lexical": Feature(0.8), "price": Feature(0.0), "region": Feature(None)}, weights)
    assert relevant == 0.4 and abs(sum(f["contribution"] for f in breakdown.values()) - relevant) < 1e-3


def test_classification_consensus_pulls_up_the_field_the_best_matches_share():
    consensus = ClassificationConsensus({1: (["G06F 16/35"], 1.0), 2: (["G06F 16/35", "G06N 3/08"], 0.8),
                                         3: (["H04L 9/00"], 0.2)})
    assert consensus.for_candidate(9)["G06F"] == 1.0  # votes go to subclasses
    assert consensus.for_candidate(1)["G06F"] == pytest.approx(0.8 / 1.8)  # its own vote left out
    assert consensus.for_candidate(3)["H04L"] == 0.0
    same_field = classification_fit([], ["G06F 16/35"], consensus.for_candidate(9), None, None)
    other_field = classification_fit([], ["H04L 9/00"], consensus.for_candidate(9), None, None)
    assert same_field.value > other_field.value
    assert classification_fit([], [], {}, "新能源", "新能源").value == 1.0
    assert classification_fit([], [], {}, None, None).value is None


def _unit(*values):
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_feedback_lifts_a_candidate_close_in_meaning_to_the_best_matches(monkeypatch):
    monkeypatch.setattr(matching, "FEEDBACK_DEPTH", 2)
    best = {1: _unit(1, 0.1, 0), 2: _unit(1, 0, 0.1)}
    # 3 and 4 read alike to the source's queries; 3 is about what the best matches are about, 4 is not.
    meaning = matching._Meaning({1: 0.9, 2: 0.8, 3: 0.3, 4: 0.3},
                                {**best, 3: _unit(1, 0.05, 0.05), 4: _unit(0.7, 1, 0)}, queries=3)
    similarities = matching.with_feedback(meaning, {1: 0.5}, {"lexical": 0.15, "semantic": 0.32})
    assert similarities[3] > 0.3 > similarities[4]
    assert similarities[1] > similarities[4] and all(0 <= s <= 1 for s in similarities.values())
    assert max(similarities.values()) == pytest.approx(0.9)  # it reorders; the best stays what the queries found
    # Too small a pool has no top to learn from; no feedback when it is switched off.
    small = matching._Meaning({1: 0.9, 2: 0.8}, best, queries=3)
    assert matching.with_feedback(small, {}, {"semantic": 0.32}) == small.similarities
    monkeypatch.setattr(matching, "FEEDBACK_DEPTH", 0)
    assert matching.with_feedback(meaning, {}, {"semantic": 0.32}) == meaning.similarities
