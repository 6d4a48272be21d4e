"""The demo market across industries: fictional organisations and users; real computing patents (CC BY 4.0) and
real research achievements (科技成果: CSL abstracts, Apache-2.0) of materials, energy, machinery, chemistry,
agriculture, food, medicine, environment and textiles; demands and services written for those industries.

Everything here is deterministic, so seeding twice yields identical records and the second run changes
nothing. Records go through the portfolio import (``ListingService.upsert``), so moderation state, the
search outbox and the demo label are exactly what a real import produces.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.core.formatting import local_today

DATA = Path(__file__).parent / "data"
# Demo passwords are printed on purpose: this is local demo data, never production.
DEMO_PASSWORD = "techbridge-demo"


@dataclass(frozen=True)
class DemoOrg:
    """A fictional organisation of the demo market."""

    name: str
    kind: str
    region: str


UNIVERSITIES = [
    DemoOrg("华东示范理工大学技术转移中心", "university", "上海"),
    DemoOrg("西部示范科技大学技术转移中心", "university", "四川"),
    DemoOrg("华南示范工业大学技术转移中心", "university", "广东"),
    DemoOrg("中科示范计算技术研究院", "institute", "北京"),
]
ENTERPRISES = [
    DemoOrg("示范智能制造股份有限公司", "enterprise", "江苏"),
    DemoOrg("示范新能源汽车科技有限公司", "enterprise", "安徽"),
    DemoOrg("示范云数科技有限公司", "enterprise", "浙江"),
]
# Owners of the research achievements, by the industry of the selected abstracts (data/achievements.jsonl).
MATERIALS_INSTITUTE = DemoOrg("北方示范材料科学研究院", "institute", "辽宁")
ENERGY_INSTITUTE = DemoOrg("示范能源技术研究院", "institute", "安徽")
AGRICULTURAL_UNIVERSITY = DemoOrg("示范农业大学技术转移中心", "university", "山东")
MEDICAL_UNIVERSITY = DemoOrg("示范医科大学技术转移中心", "university", "湖北")
ACHIEVEMENT_OWNERS = {
    "新能源与储能": ENERGY_INSTITUTE, "电力装备": ENERGY_INSTITUTE, "新材料": MATERIALS_INSTITUTE,
    "高端装备": UNIVERSITIES[0], "化工": UNIVERSITIES[2], "节能环保": UNIVERSITIES[2], "纺织": UNIVERSITIES[1],
    "现代农业": AGRICULTURAL_UNIVERSITY, "食品": AGRICULTURAL_UNIVERSITY, "医药健康": MEDICAL_UNIVERSITY,
}
RESEARCH_ORGS = [MATERIALS_INSTITUTE, ENERGY_INSTITUTE, AGRICULTURAL_UNIVERSITY, MEDICAL_UNIVERSITY]
# Enterprises of the industries beyond computing, with the demands written for them (data/demands.json).
INDUSTRY_ENTERPRISES = [
    DemoOrg("示范新材料科技有限公司", "enterprise", "浙江"),
    DemoOrg("示范化工股份有限公司", "enterprise", "山东"),
    DemoOrg("示范农业科技有限公司", "enterprise", "河南"),
    DemoOrg("示范医药股份有限公司", "enterprise", "江苏"),
    DemoOrg("示范装备与纺织集团有限公司", "enterprise", "湖南"),
]
PILOT_BASE = DemoOrg("长三角示范中试基地", "service_provider", "江苏")
LAB = DemoOrg("示范检验检测认证中心", "service_provider", "广东")
CHEMICAL_PILOT_BASE = DemoOrg("示范化工新材料中试基地", "service_provider", "山东")
FOOD_AND_DRUG_LAB = DemoOrg("示范农产品与药品检测中心", "service_provider", "湖北")
PROVIDERS = [PILOT_BASE, LAB, CHEMICAL_PILOT_BASE, FOOD_AND_DRUG_LAB]
PLATFORM = DemoOrg("技桥平台运营中心", "platform", "北京")
ORGANISATIONS = [*UNIVERSITIES, *RESEARCH_ORGS, *ENTERPRISES, *INDUSTRY_ENTERPRISES, *PROVIDERS, PLATFORM]

# (e-mail, display name, role, organisation): an org admin for each kind, a member, a broker, a platform admin.
USERS = [
    ("admin@demo.techbridge.cn", "平台管理员", "platform_admin", PLATFORM),
    ("tto@demo.techbridge.cn", "技术转移经理", "org_admin", UNIVERSITIES[0]),
    ("researcher@demo.techbridge.cn", "课题组成员", "member", UNIVERSITIES[0]),
    ("broker@demo.techbridge.cn", "技术经纪人", "broker", UNIVERSITIES[1]),
    ("institute@demo.techbridge.cn", "成果转化处处长", "org_admin", UNIVERSITIES[3]),
    ("buyer@demo.techbridge.cn", "企业技术总监", "org_admin", ENTERPRISES[0]),
    ("materials@demo.techbridge.cn", "新材料企业研发总监", "org_admin", INDUSTRY_ENTERPRISES[0]),
    ("pilot@demo.techbridge.cn", "中试基地主任", "org_admin", PILOT_BASE),
    ("lab@demo.techbridge.cn", "检测中心主任", "org_admin", LAB),
]

# Industry of a patent, from words of its title (first match wins); the rest is plain information technology.
INDUSTRY_WORDS = [
    ("新能源", r"电池|储能|光伏|充电"),
    ("电力能源", r"电网|电力|电能|变电|配电|输电"),
    ("医疗健康", r"医疗|医学|病|患者|影像|健康|药"),
    ("智能网联汽车", r"车辆|汽车|驾驶|交通|车载"),
    ("智能制造", r"制造|工业|加工|设备|故障|产线|机床|机器人"),
    ("金融科技", r"金融|银行|支付|交易|风控"),
    ("集成电路", r"芯片|存储器|处理器|内存|电路|闪存"),
    ("人工智能", r"神经网络|深度学习|模型|图像|视觉|识别|语音|自然语言"),
]
# (maturity, TRL range, probability): TRL agrees with the maturity stage.
MATURITY = [("lab", (2, 4), 0.35), ("small_batch", (4, 5), 0.30), ("pilot", (6, 7), 0.25), ("mass_production", (8, 9), 0.10)]
COOP_BUNDLES = [["assignment"], ["assignment", "exclusive_licence"], ["non_exclusive_licence"],
                ["exclusive_licence", "sole_licence"], ["assignment", "equity"], ["development"]]
PRICE_RANGE = {"lab": (20, 80), "small_batch": (50, 200), "pilot": (100, 500), "mass_production": (300, 1200)}  # 万元


def _industry(title: str) -> str:
    return next((name for name, words in INDUSTRY_WORDS if re.search(words, title)), "信息技术")


def _market_attributes(rng: random.Random) -> dict:
    """Invented but plausible offer terms: maturity with a TRL that agrees, cooperation modes, price or 面议."""
    maturity, (trl_low, trl_high), _ = rng.choices(MATURITY, weights=[m[2] for m in MATURITY])[0]
    negotiable = rng.random() < 0.4
    low, high = PRICE_RANGE[maturity]
    return {
        "maturity": maturity,
        "trl": rng.randint(trl_low, trl_high),
        "coop_modes": rng.choice(COOP_BUNDLES),
        "price": None if negotiable else rng.randint(low, high) * 10_000,
        "price_negotiable": negotiable,
    }


def patent_record(source: dict, owner: DemoOrg) -> dict:
    """An importable patent from a source record, with plausible invented market attributes.

    The title, abstract, number and classification are real; maturity, TRL, price and cooperation modes
    are drawn from a generator seeded by the publication number, so every run produces the same record.
    """
    rng = random.Random(source["publication_number"])
    return {
        "external_id": source["publication_number"],
        "patent_number": source["publication_number"],
        "title": source["title"],
        "abstract": source["abstract"],
        "patent_type": "invention",
        "legal_status": "pending",  # "A" publications: applications under examination (审中)
        # CPC symbols such as G06F16/3329: the import normalises them to IPC style and drops those IPC lacks.
        "ipc": source["cpc"],
        "applicant": owner.name.removesuffix("技术转移中心"),
        "industry": _industry(source["title"]),
        "region": owner.region,
        **_market_attributes(rng),
    }


def patents_by_owner() -> dict[DemoOrg, list[dict]]:
    """The demo patents, attached round-robin to the demo universities and institute."""
    lines = (DATA / "patents.jsonl").read_text(encoding="utf-8").splitlines()
    owned: dict[DemoOrg, list[dict]] = {org: [] for org in UNIVERSITIES}
    for index, line in enumerate(lines):
        owner = UNIVERSITIES[index % len(UNIVERSITIES)]
        owned[owner].append(patent_record(json.loads(line), owner))
    return owned


def achievement_record(source: dict, owner: DemoOrg) -> dict:
    """An importable research achievement (科技成果) from a CSL abstract, with invented market attributes.

    Title, abstract and keywords are the paper's; an achievement has no patent number or IPC code. The key is a
    digest of the title, and the market attributes are drawn from a generator seeded by it (stable re-seeding).
    """
    key = hashlib.sha1(source["title"].encode("utf-8")).hexdigest()[:12]
    return {
        "external_id": f"CSL-{key}",
        "title": source["title"],
        "abstract": source["abstract"],
        "patent_type": "achievement",
        "keywords": source["keywords"],
        "applicant": owner.name.removesuffix("技术转移中心"),
        "industry": source["industry"],
        "region": owner.region,
        **_market_attributes(random.Random(key)),
    }


def achievements_by_owner() -> dict[DemoOrg, list[dict]]:
    """The research achievements, each with the demo university or institute of its industry."""
    owned: dict[DemoOrg, list[dict]] = {}
    for line in (DATA / "achievements.jsonl").read_text(encoding="utf-8").splitlines():
        source = json.loads(line)
        owner = ACHIEVEMENT_OWNERS[source["industry"]]
        owned.setdefault(owner, []).append(achievement_record(source, owner))
    return owned


def _by_owner(filename: str, owners: list[DemoOrg], extra: dict | None = None) -> dict[DemoOrg, list[dict]]:
    """Records of ``filename`` (``{organisation name: [records]}``) keyed by their demo organisation."""
    grouped = json.loads((DATA / filename).read_text(encoding="utf-8"))
    by_name = {org.name: org for org in owners}
    return {by_name[name]: [{**record, **(extra or {})} for record in records] for name, records in grouped.items()}


def demands_by_owner(today: date | None = None) -> dict[DemoOrg, list[dict]]:
    """The written demands, valid until the end of next year (stable all year, so re-seeding changes nothing)."""
    valid_until = date((today or local_today()).year + 1, 12, 31).isoformat()
    return _by_owner("demands.json", [*ENTERPRISES, *INDUSTRY_ENTERPRISES], {"valid_until": valid_until})


def services_by_owner() -> dict[DemoOrg, list[dict]]:
    """The written pilot-line (中试) and laboratory (检验检测) offers."""
    return _by_owner("services.json", PROVIDERS)
