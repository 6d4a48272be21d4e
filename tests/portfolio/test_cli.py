"""``flask import …`` / ``flask export …`` through the Flask CLI runner."""
from __future__ import annotations

import json

from app.demands.service import demands_service
from app.listings.models import ListingStatus
from app.orgs import service as orgs
from app.patents.models import Patent
from app.patents.service import patents_service

GOOD = {"external_id": "P-1", "title": "一种图像识别方法", "abstract": "基于卷积神经网络的图像识别方法，准确率高。",
        "ipc": ["G06V 10/82"], "applicant": "示范大学"}


def write_jsonl(path, *records) -> str:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records),
                    encoding="utf-8")
    return str(path)


def test_import_with_create_org_and_publish_then_rerun_changes_nothing(app, db_session, tmp_path):
    source = write_jsonl(tmp_path / "patents.jsonl", GOOD, {**GOOD, "external_id": "P-2"})
    runner = app.test_cli_runner()
    args = ["import", "patents", source, "--org", "演示大学", "--create-org", "--publish"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "patents: 2 read, 2 imported, 0 updated, 0 unchanged, 0 failed" in first.output
    org = orgs.find_by_name("演示大学")
    assert org.is_demo and org.is_verified and org.kind.value == "university"
    assert patents_service.find_external(org.id, "P-1").status == ListingStatus.approved
    second = runner.invoke(args=args)
    assert "2 read, 0 imported, 0 updated, 2 unchanged, 0 failed" in second.output
    assert db_session.query(Patent).filter_by(org_id=org.id).count() == 2


def test_bad_lines_are_reported_with_line_numbers_and_a_failing_exit_status(app, db_session, tmp_path, university):
    source = write_jsonl(tmp_path / "mixed.jsonl", GOOD, "{oops", {"external_id": "P-3", "title": "短", "abstract": "x"})
    result = app.test_cli_runner().invoke(args=["import", "patents", source, "--org", university.name])
    assert result.exit_code == 1
    assert "line 2 (-): not valid JSON" in result.output
    assert "line 3 (P-3): title: " in result.output and "; abstract: Enter at least 10 characters." in result.output
    assert "3 read, 1 imported, 0 updated, 0 unchanged, 2 failed" in result.output
    as_json = app.test_cli_runner().invoke(args=["import", "patents", source, "--org", university.name, "--json"])
    report = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert (report["unchanged"], [e["line"] for e in report["errors"]]) == (1, [2, 3])


def test_demands_from_csv_and_refusals_without_org_or_format(app, db_session, tmp_path, enterprise):
    source = tmp_path / "demands.csv"
    source.write_text("external_id,title,description,region,budget_min,budget_max,needs_inspection\n"
                      "D-1,动力电池热失控预警,需要电池包热失控早期预警算法，误报率低于1%。,江苏,300000,800000,true\n",
                      encoding="utf-8-sig")  # with a BOM, as Excel writes it
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "demands", str(source), "--org", enterprise.name])
    assert result.exit_code == 0, result.output
    demand = demands_service.find_external(enterprise.id, "D-1")
    assert demand.needs_inspection and float(demand.budget_max) == 800000 and demand.status == ListingStatus.draft
    missing = runner.invoke(args=["import", "demands", str(source), "--org", "不存在的机构"])
    assert missing.exit_code != 0 and "--create-org" in missing.output
    odd = tmp_path / "demands.txt"
    odd.write_text(source.read_text(encoding="utf-8-sig"), encoding="utf-8")
    unknown = runner.invoke(args=["import", "demands", str(odd), "--org", enterprise.name])
    assert unknown.exit_code != 0 and "--format" in unknown.output
    assert runner.invoke(args=["import", "demands", str(odd), "--org", enterprise.name, "--format", "csv"]).exit_code == 0


def test_export_then_import_round_trips_on_the_command_line(app, db_session, tmp_path, university):
    runner = app.test_cli_runner()
    runner.invoke(args=["import", "patents", write_jsonl(tmp_path / "in.jsonl", GOOD), "--org", university.name])
    for name in ("out.csv", "out.jsonl"):
        out = tmp_path / name
        exported = runner.invoke(args=["export", "patents", str(out), "--org", university.name])
        assert exported.exit_code == 0, exported.output
        assert "一种图像识别方法" in out.read_text(encoding="utf-8-sig")
        again = runner.invoke(args=["import", "patents", str(out), "--org", university.name])
        assert "1 read, 0 imported, 0 updated, 1 unchanged, 0 failed" in again.output
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM for Chinese


def test_a_research_achievement_known_by_its_title_alone_is_imported(app, db_session, tmp_path, university):
    source = write_jsonl(tmp_path / "achievements.jsonl",
                         {"external_id": "A-1", "title": "锂电池隔膜", "abstract": "锂电池隔膜", "patent_type": "achievement"},
                         {"external_id": "A-2", "title": "高强度钢焊接工艺", "patent_type": "achievement"})
    result = app.test_cli_runner().invoke(args=["import", "patents", source, "--org", university.name])
    assert result.exit_code == 0, result.output
    assert "2 imported" in result.output
