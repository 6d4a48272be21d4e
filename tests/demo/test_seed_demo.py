"""``flask seed-demo`` creates a usable, labelled demo market across industries and changes nothing when run
again."""
from __future__ import annotations

import json
from collections import Counter

from app.accounts import service as accounts
from app.accounts.models import User
from app.demands.models import TechDemand
from app.demo import seed
from app.indexing.models import SearchOutbox
from app.listings.models import ListingStatus
from app.orgs.models import Organisation
from app.patents.models import Patent, PatentType
from app.service_offers.models import ServiceOffer

LISTINGS = (Patent, TechDemand, ServiceOffer)


def _counts(session) -> tuple:
    return tuple(session.query(model).count() for model in (Organisation, User, *LISTINGS, SearchOutbox))


def test_seed_demo_twice_creates_a_labelled_published_market_once(app, db_session, app_engine):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _counts(db_session)
    assert counts[:5] == (len(seed.ORGANISATIONS), len(seed.USERS), 120 + 254, 46, 17)
    assert sum(counts[2:5]) < 600  # embeddings are computed after the seed at ~30 listings/s
    stamps = {p.id: p.updated_at for p in db_session.query(Patent)}
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    listing_lines = [line for line in again.output.splitlines() if " of " in line]
    assert len(listing_lines) == 23 and all(": 0 imported, 0 updated, " in line for line in listing_lines)
    assert "created " not in again.output and again.output.count("exists ") == len(seed.USERS)
    assert _counts(db_session) == counts  # no new row anywhere, not even in the search outbox
    assert {p.id: p.updated_at for p in db_session.query(Patent)} == stamps
    for model in LISTINGS:
        assert db_session.query(model).filter(model.status != ListingStatus.approved).count() == 0
        assert db_session.query(model).filter(model.is_demo.is_(False)).count() == 0
    assert db_session.query(Organisation).filter(Organisation.is_demo.is_(False)).count() == 0
    assert all(org.is_verified for org in db_session.query(Organisation))
    assert app_engine.count("patents") == 374 and app_engine.count("demands") == 46


def test_demo_accounts_cover_every_role_and_log_in_with_the_printed_password(app, db_session):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.output.count(f"password: {seed.DEMO_PASSWORD}") == len(seed.USERS) and "DEMO DATA ONLY" in result.output
    users = db_session.query(User).all()
    assert all(user.is_demo for user in users)
    assert {u.role.value for u in users} == {"platform_admin", "org_admin", "member", "broker"}
    admin_kinds = {u.organisation.kind.value for u in users if u.role.value == "org_admin"}
    assert admin_kinds == {"university", "institute", "enterprise", "service_provider"}
    assert accounts.authenticate("buyer@demo.techbridge.cn", seed.DEMO_PASSWORD).display_name == "企业技术总监"


def test_patents_and_achievements_are_real_spread_over_industries_and_plausible(app, db_session):
    app.test_cli_runner().invoke(args=["seed-demo"])
    patents = db_session.query(Patent).filter(Patent.patent_type != PatentType.achievement).all()
    assert Counter(p.organisation.name for p in patents) == Counter({org.name: 30 for org in seed.UNIVERSITIES})
    trl_of = {name: span for name, span, _ in seed.MATURITY}
    for patent in db_session.query(Patent):
        low, high = trl_of[patent.maturity.value]
        assert low <= patent.trl <= high
        assert patent.region == patent.organisation.region
        assert patent.asking_price is not None or patent.price_negotiable
    assert all(p.ipc_codes and all(" " in code for code in p.ipc_codes) for p in patents)
    assert len({p.industry for p in patents}) >= 5
    # Research achievements (科技成果): real CSL abstracts, no patent number, owned by the institution of their field.
    achievements = db_session.query(Patent).filter(Patent.patent_type == PatentType.achievement).all()
    sources = {json.loads(line)["title"]: json.loads(line)
               for line in (seed.DATA / "achievements.jsonl").read_text(encoding="utf-8").splitlines()}
    assert len(achievements) == len(sources) == 254
    for achievement in achievements:
        source = sources[achievement.title]
        assert achievement.abstract == source["abstract"] and achievement.keywords == source["keywords"]
        assert achievement.patent_number is None and achievement.is_demo
        assert achievement.organisation.name == seed.ACHIEVEMENT_OWNERS[source["industry"]].name
    industries = Counter(a.industry for a in achievements)
    assert len(industries) == 10 and min(industries.values()) >= 14 and max(industries.values()) <= 36


def test_demands_and_services_are_written_not_filler(app, db_session):
    app.test_cli_runner().invoke(args=["seed-demo"])
    demands = db_session.query(TechDemand).all()
    assert len({d.organisation.name for d in demands}) == 8
    assert {"新材料", "化工", "现代农业", "食品", "医药健康", "高端装备", "节能环保", "纺织"} <= {d.industry for d in demands}
    assert sum(d.needs_pilot for d in demands) >= 5 and sum(d.needs_inspection for d in demands) >= 5
    assert all(d.indicators and d.budget_min <= d.budget_max for d in demands)
    assert any(i.name == "CLTC续航" and i.value == 500 and i.unit == "km" for d in demands for i in d.indicators)
    assert not any("lorem" in d.description.lower() for d in demands)
    offers = db_session.query(ServiceOffer).all()
    assert {o.kind.value for o in offers} == {"pilot", "inspection"}
    lab_qualifications = {q["type"] for o in offers if o.kind.value == "inspection" for q in o.qualifications}
    assert {"CMA", "CNAS"} <= lab_qualifications
    served = {industry for o in offers for industry in o.industries}
    assert {"新材料", "化工", "医药健康", "食品", "纺织"} <= served


def test_patent_records_are_deterministic_and_keep_the_source_classification():
    source = {"publication_number": "CN117151122A", "title": "一种基于深度学习的电池缺陷检测方法",
              "abstract": "本发明公开了一种电池缺陷检测方法。", "cpc": ["G06T7/0004", "Y02E60/10"]}
    first = seed.patent_record(source, seed.UNIVERSITIES[0])
    assert first == seed.patent_record(source, seed.UNIVERSITIES[0])
    assert first["industry"] == "新能源" and first["applicant"] == "华东示范理工大学"
    assert first["ipc"] == source["cpc"]  # the import maps CPC to IPC style and drops the CPC-only Y02E code


def test_achievement_records_are_deterministic_labelled_and_keyed_by_title():
    source = {"title": "碱性燃料电池用阴离子交换膜的制备与表征", "abstract": "制备了一种阴离子交换膜。",
              "keywords": ["燃料电池", "阴离子交换膜"], "industry": "新能源与储能"}
    owner = seed.ACHIEVEMENT_OWNERS["新能源与储能"]
    first = seed.achievement_record(source, owner)
    assert first == seed.achievement_record(source, owner)
    assert first["patent_type"] == "achievement" and first["external_id"].startswith("CSL-")
    assert first["industry"] == "新能源与储能" and first["region"] == owner.region and "patent_number" not in first


def test_seeded_classification_is_ipc_style_without_cpc_only_codes(app, db_session):
    app.test_cli_runner().invoke(args=["seed-demo"])
    patent = db_session.query(Patent).filter_by(external_id="CN118733780A").one()  # CPC G06F16/35, G06F40/242, …
    assert patent.ipc_codes == ["G06F 16/35", "G06F 16/36", "G06F 40/242", "G06F 40/30"]
