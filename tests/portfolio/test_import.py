"""Portfolio import/export: good, bad and mixed files, idempotent re-runs, crash safety, round trips."""
from __future__ import annotations

import io
import json

import pytest

from app.identity import Identity
from app.listings.models import ListingStatus
from app.orgs import service as orgs
from app.patents.models import Patent
from app.patents.service import patents_service
from app.portfolio import service as portfolio
from tests.factories import identity_of, patent_number


def jsonl(*records) -> io.StringIO:
    return io.StringIO("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records))


GOOD = {"external_id": "P-1", "title": "一种图像识别方法", "abstract": "基于卷积神经网络的图像识别方法，准确率高。",
        "ipc": ["G06V 10/82", "Y02E 60/10"], "applicant": "示范大学", "cpc": ["G06V10/82"]}


def test_mixed_file_imports_good_rows_and_reports_bad_lines(db_session, university):
    stream = jsonl(GOOD, "{not json", ["a list"], {"external_id": "P-3", "title": "短"},
                   {"title": "没有编号的专利", "abstract": "缺少 external_id 的记录应当被拒绝。"})
    report = portfolio.import_records(Identity.system(), "patents", university, stream, "jsonl").as_dict()
    assert (report["created"], report["failed"]) == (1, 4)
    assert [e["line"] for e in report["errors"]] == [2, 3, 4, 5]
    assert "abstract" in report["errors"][2]["errors"] and "external_id" in report["errors"][3]["errors"]
    assert report["warnings"][0]["line"] == 1 and "cpc" in report["warnings"][0]["notes"][0]
    patent = patents_service.find_external(university.id, "P-1")
    assert patent.ipc_codes == ["G06V 10/82"] and patent.status == ListingStatus.draft


def test_reimport_updates_instead_of_duplicating(db_session, university):
    portfolio.import_records(Identity.system(), "patents", university, jsonl(GOOD), "jsonl")
    again = portfolio.import_records(Identity.system(), "patents", university, jsonl(GOOD), "jsonl").as_dict()
    changed = portfolio.import_records(Identity.system(), "patents", university,
                                       jsonl({**GOOD, "title": "一种改进的图像识别方法"}), "jsonl").as_dict()
    assert (again["unchanged"], changed["updated"]) == (1, 1)
    assert db_session.query(Patent).filter_by(org_id=university.id).count() == 1


def test_a_crash_midway_keeps_earlier_records_whole_and_writes_no_partial_one(db_session, university, monkeypatch):
    records = [{**GOOD, "external_id": f"P-{i}", "indicators": [{"name": "准确率", "value": 95, "unit": "%"}]}
               for i in range(5)]
    original = patents_service._apply

    def crash_on_third(obj, loaded):
        original(obj, loaded)
        if loaded.get("external_id") == "P-2":
            raise RuntimeError("power cut")

    monkeypatch.setattr(patents_service, "_apply", crash_on_third)
    with pytest.raises(RuntimeError):
        portfolio.import_records(Identity.system(), "patents", university, jsonl(*records), "jsonl")
    imported = db_session.query(Patent).filter_by(org_id=university.id).order_by(Patent.external_id).all()
    assert [p.external_id for p in imported] == ["P-0", "P-1"]
    assert all(len(p.indicators) == 1 for p in imported)


def test_csv_with_list_cells_and_json_cells(db_session, enterprise):
    csv_text = ("external_id,title,description,keywords,indicators,budget_max\n"
                'D-1,电池回收技术需求,需要退役动力电池梯次利用与回收技术。,电池回收;梯次利用,"[{""name"": ""回收率"", '
                '""comparator"": ""gte"", ""value"": 95, ""unit"": ""%""}]",1000000\n'
                "D-2,短,x,,,-5\n")
    report = portfolio.import_records(Identity.system(), "demands", enterprise, io.StringIO(csv_text), "csv").as_dict()
    assert report["created"] == 1 and report["errors"][0]["line"] == 3
    assert {"title", "description", "budget_max"} <= set(report["errors"][0]["errors"])


def test_export_round_trips_through_import(db_session, university):
    portfolio.import_records(Identity.system(), "patents", university,
                             jsonl({**GOOD, "patent_number": patent_number(), "keywords": ["图像", "识别"]}), "jsonl")
    for fmt in ("jsonl", "csv"):
        exported = portfolio.export_records(Identity.system(), "patents", university, fmt)
        report = portfolio.import_records(Identity.system(), "patents", university, io.StringIO(exported), fmt)
        assert report.as_dict()["unchanged"] == 1, fmt


def test_only_the_owning_tto_may_import_and_only_admins_publish(db_session, university, enterprise, tto_user, buyer_user):
    from app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        portfolio.import_records(identity_of(buyer_user), "patents", university, jsonl(GOOD), "jsonl")
    with pytest.raises(PermissionDenied):
        portfolio.import_records(identity_of(tto_user), "patents", university, jsonl(GOOD), "jsonl", publish=True)
    report = portfolio.import_records(identity_of(tto_user), "patents", university, jsonl(GOOD), "jsonl")
    assert report.as_dict()["created"] == 1


def test_cli_imports_with_create_org_and_publish_then_exports(app, db_session, tmp_path):
    source = tmp_path / "patents.jsonl"
    source.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "patents", str(source), "--org", "演示大学", "--create-org", "--publish"])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    org = orgs.find_by_name("演示大学")
    assert org.is_demo and patents_service.find_external(org.id, "P-1").status == ListingStatus.approved
    missing = runner.invoke(args=["import", "patents", str(source), "--org", "不存在的机构"])
    assert missing.exit_code != 0 and "--create-org" in missing.output
    out = tmp_path / "out.csv"
    assert runner.invoke(args=["export", "patents", str(out), "--org", "演示大学"]).exit_code == 0
    assert "一种图像识别方法" in out.read_text(encoding="utf-8")
