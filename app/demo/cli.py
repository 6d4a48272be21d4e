"""``flask seed-demo``: idempotent demo data for a first run (everything labelled as demo)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..accounts import service as accounts
from ..identity import Identity
from ..orgs import service as orgs
from ..portfolio.service import import_records

DATA = Path(__file__).parent / "data"
# Demo passwords are printed on purpose: this is local demo data, never production.
DEMO_PASSWORD = "techbridge-demo"
UNIVERSITIES = [("华东示范理工大学技术转移中心", "university", "上海"), ("西部示范科技大学技术转移中心", "university", "四川"),
                ("中科示范计算技术研究院", "institute", "北京")]
ENTERPRISE = ("示范智能制造股份有限公司", "enterprise", "江苏")
PROVIDER = ("示范中试与检验检测服务中心", "service_provider", "江苏")
PLATFORM = ("技桥平台运营中心", "platform", "北京")
USERS = [  # (email, name, role, organisation)
    ("admin@demo.techbridge.cn", "平台管理员", "platform_admin", PLATFORM),
    ("tto@demo.techbridge.cn", "技术转移经理", "org_admin", UNIVERSITIES[0]),
    ("researcher@demo.techbridge.cn", "课题组成员", "member", UNIVERSITIES[0]),
    ("broker@demo.techbridge.cn", "技术经纪人", "broker", UNIVERSITIES[1]),
    ("buyer@demo.techbridge.cn", "企业技术总监", "org_admin", ENTERPRISE),
    ("lab@demo.techbridge.cn", "检测中心主任", "org_admin", PROVIDER),
]


def _import(resource: str, org, lines: list[str]) -> dict:
    return import_records(Identity.system(), resource, org, io.StringIO("\n".join(lines)), "jsonl",
                          publish=True).as_dict()


@click.command("seed-demo")
@with_appcontext
def cli():
    """Create demo organisations, users, patents, demands and services (safe to run again)."""
    org_of = {spec: orgs.ensure_demo_org(*spec) for spec in [*UNIVERSITIES, ENTERPRISE, PROVIDER, PLATFORM]}
    for email, name, role, spec in USERS:
        _, created = accounts.ensure_demo_user(org_of[spec], email, name, role, DEMO_PASSWORD)
        click.echo(f"{'created' if created else 'exists '} demo user {email:<32} role {role:<15} password {DEMO_PASSWORD}")
    patents = (DATA / "patents.jsonl").read_text(encoding="utf-8").splitlines()
    for index, spec in enumerate(UNIVERSITIES):  # round-robin over the demo universities
        report = _import("patents", org_of[spec], patents[index::len(UNIVERSITIES)])
        click.echo(f"patents of {spec[0]}: {report['created']} created, {report['unchanged'] + report['updated']} kept")
    for resource, spec, name in (("demands", ENTERPRISE, "demands.json"), ("services", PROVIDER, "services.json")):
        records = json.loads((DATA / name).read_text(encoding="utf-8"))
        report = _import(resource, org_of[spec], [json.dumps(r, ensure_ascii=False) for r in records])
        click.echo(f"{resource}: {report['created']} created, {report['failed']} failed")
    click.echo("Demo data is labelled as such in the UI. Demo password for every user: " + DEMO_PASSWORD)
