"""The demo market: fictional organisations and users, real patents (CC BY 4.0) and written demands/services.

Everything here is deterministic, so seeding twice yields identical records and the second run changes
nothing. Records go through the portfolio import (``ListingService.upsert``), so moderation state, the
search outbox and the demo label are exactly what a real import produces.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path


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
PILOT_BASE = DemoOrg("长三角示范中试基地", "service_provider", "江苏")
LAB = DemoOrg("示范检验检测认证中心", "service_provider", "广东")
PLATFORM = DemoOrg("技桥平台运营中心", "platform", "北京")
ORGANISATIONS = [*UNIVERSITIES, *ENTERPRISES, PILOT_BASE, LAB, PLATFORM]

# (e-mail, display name, role, organisation): an org admin for each kind, a member, a broker, a platform admin.
USERS = [
    ("admin@demo.techbridge.cn", "平台管理员", "platform_admin", PLATFORM),
    ("tto@demo.techbridge.cn", "技术转移经理", "org_admin", UNIVERSITIES[0]),
    ("researcher@demo.techbridge.cn", "课题组成员", "member", UNIVERSITIES[0]),
    ("broker@demo.techbridge.cn", "技术经纪人", "broker", UNIVERSITIES[1]),
    ("institute@demo.techbridge.cn", "成果转化处处长", "org_admin", UNIVERSITIES[3]),
    ("buyer@demo.techbridge.cn", "企业技术总监", "org_admin", ENTERPRISES[0]),
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


def patent_record(source: dict, owner: DemoOrg) -> dict:
    """An importable patent from a source record, with plausible invented market attributes.

    The title, abstract, number and classification are real; maturity, TRL, price and cooperation modes
    are drawn from a generator seeded by the publication number, so every run produces the same record.
    """
    rng = random.Random(source["publication_number"])
    maturity, (trl_low, trl_high), _ = rng.choices(MATURITY, weights=[m[2] for m in MATURITY])[0]
    negotiable = rng.random() < 0.4
    low, high = PRICE_RANGE[maturity]
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
        "maturity": maturity,
        "trl": rng.randint(trl_low, trl_high),
        "coop_modes": rng.choice(COOP_BUNDLES),
        "price": None if negotiable else rng.randint(low, high) * 10_000,
        "price_negotiable": negotiable,
    }


def patents_by_owner() -> dict[DemoOrg, list[dict]]:
    """The demo patents, attached round-robin to the demo universities and institute."""
    lines = (DATA / "patents.jsonl").read_text(encoding="utf-8").splitlines()
    owned: dict[DemoOrg, list[dict]] = {org: [] for org in UNIVERSITIES}
    for index, line in enumerate(lines):
        owner = UNIVERSITIES[index % len(UNIVERSITIES)]
        owned[owner].append(patent_record(json.loads(line), owner))
    return owned


def _by_owner(filename: str, owners: list[DemoOrg], extra: dict | None = None) -> dict[DemoOrg, list[dict]]:
    """Records of ``filename`` (``{organisation name: [records]}``) keyed by their demo organisation."""
    grouped = json.loads((DATA / filename).read_text(encoding="utf-8"))
    by_name = {org.name: org for org in owners}
    return {by_name[name]: [{**record, **(extra or {})} for record in records] for name, records in grouped.items()}


def demands_by_owner(today: date | None = None) -> dict[DemoOrg, list[dict]]:
    """The written demands, valid until the end of next year (stable all year, so re-seeding changes nothing)."""
    valid_until = date((today or date.today()).year + 1, 12, 31).isoformat()
    return _by_owner("demands.json", ENTERPRISES, {"valid_until": valid_until})


def services_by_owner() -> dict[DemoOrg, list[dict]]:
    """The written pilot-line and laboratory offers."""
    return _by_owner("services.json", [PILOT_BASE, LAB])
