"""``flask seed-demo`` creates a usable, labelled demo market and changes nothing when run again."""
from __future__ import annotations

from collections import Counter

from app.accounts import service as accounts
from app.accounts.models import User
from app.demands.models import TechDemand
from app.demo import seed
from app.indexing.models import SearchOutbox
from app.listings.models import ListingStatus
from app.orgs.models import Organisation
from app.patents.models import Patent
from app.service_offers.models import ServiceOffer

LISTINGS = (Patent, TechDemand, ServiceOffer)


def _counts(session) -> tuple:
    return tuple(session.query(model).count() for model in (Organisation, User, *LISTINGS, SearchOutbox))


def test_seed_demo_twice_creates_a_labelled_published_market_once(app, db_session, app_engine):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _counts(db_session)
    assert counts[:5] == (10, 8, 300, 26, 8)
    stamps = {p.id: p.updated_at for p in db_session.query(Patent)}
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    listing_lines = [line for line in again.output.splitlines() if " of " in line]
    assert len(listing_lines) == 9 and all(": 0 imported, 0 updated, " in line for line in listing_lines)
    assert "created " not in again.output and again.output.count("exists ") == len(seed.USERS)
    assert _counts(db_session) == counts  # no new row anywhere, not even in the search outbox
    assert {p.id: p.updated_at for p in db_session.query(Patent)} == stamps
    for model in LISTINGS:
        assert db_session.query(model).filter(model.status != ListingStatus.approved).count() == 0
        assert db_session.query(model).filter(model.is_demo.is_(False)).count() == 0
    assert db_session.query(Organisation).filter(Organisation.is_demo.is_(False)).count() == 0
    assert all(org.is_verified for org in db_session.query(Organisation))
    assert app_engine.count("patents") == 300 and app_engine.count("demands") == 26


def test_demo_accounts_cover_every_role_and_log_in_with_the_printed_password(app, db_session):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.output.count(f"password: {seed.DEMO_PASSWORD}") == len(seed.USERS) and "DEMO DATA ONLY" in result.output
    users = db_session.query(User).all()
    assert all(user.is_demo for user in users)
    assert {u.role.value for u in users} == {"platform_admin", "org_admin", "member", "broker"}
    admin_kinds = {u.organisation.kind.value for u in users if u.role.value == "org_admin"}
    assert admin_kinds == {"university", "institute", "enterprise", "service_provider"}
    assert accounts.authenticate("buyer@demo.techbridge.cn", seed.DEMO_PASSWORD).display_name == "企业技术总监"


def test_patents_are_real_spread_round_robin_and_plausible(app, db_session):
    app.test_cli_runner().invoke(args=["seed-demo"])
    owners = Counter(p.organisation.name for p in db_session.query(Patent))
    assert owners == Counter({org.name: 75 for org in seed.UNIVERSITIES})
    trl_of = {name: span for name, span, _ in seed.MATURITY}
    for patent in db_session.query(Patent):
        assert patent.ipc_codes and all(" " in code for code in patent.ipc_codes)
        low, high = trl_of[patent.maturity.value]
        assert low <= patent.trl <= high
        assert patent.region == patent.organisation.region
        assert patent.asking_price is not None or patent.price_negotiable
    assert len({p.industry for p in db_session.query(Patent)}) >= 5


def test_demands_and_services_are_written_not_filler(app, db_session):
    app.test_cli_runner().invoke(args=["seed-demo"])
    demands = db_session.query(TechDemand).all()
    assert len({d.organisation.name for d in demands}) == 3
    assert sum(d.needs_pilot for d in demands) >= 5 and sum(d.needs_inspection for d in demands) >= 5
    assert all(d.indicators and d.budget_min <= d.budget_max for d in demands)
    assert any(i.name == "CLTC续航" and i.value == 500 and i.unit == "km" for d in demands for i in d.indicators)
    assert not any("lorem" in d.description.lower() for d in demands)
    offers = db_session.query(ServiceOffer).all()
    assert {o.kind.value for o in offers} == {"pilot", "inspection"}
    lab_qualifications = {q["type"] for o in offers if o.kind.value == "inspection" for q in o.qualifications}
    assert {"CMA", "CNAS"} <= lab_qualifications


def test_patent_records_are_deterministic_and_keep_the_source_classification():
    source = {"publication_number": "CN117151122A", "title": "一种基于深度学习的电池缺陷检测方法",
              "abstract": "本发明公开了一种电池缺陷检测方法。", "cpc": ["G06T7/0004", "Y02E60/10"]}
    first = seed.patent_record(source, seed.UNIVERSITIES[0])
    assert first == seed.patent_record(source, seed.UNIVERSITIES[0])
    assert first["industry"] == "新能源" and first["applicant"] == "华东示范理工大学"
    assert first["ipc"] == source["cpc"]  # the import maps CPC to IPC style and drops the CPC-only Y02E code


def test_seeded_classification_is_ipc_style_without_cpc_only_codes(app, db_session):
    app.test_cli_runner().invoke(args=["seed-demo"])
    patent = db_session.query(Patent).filter_by(external_id="CN118733780A").one()  # CPC G06F16/35, G06F40/242, …
    assert patent.ipc_codes == ["G06F 16/35", "G06F 16/36", "G06F 40/242", "G06F 40/30"]
