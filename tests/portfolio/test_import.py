"""Portfolio import/export service: good, bad and mixed files, idempotent re-runs, crash safety, CSV,
round trips, review of owners' changes to published listings, and who may import what."""
from __future__ import annotations

import io
import json

import pytest

from app.core.errors import PermissionDenied, ValidationFailed
from app.core.identity import Identity
from app.indexing.models import SearchOutbox
from app.listings.models import ListingStatus
from app.patents.models import Patent
from app.patents.service import patents_service
from app.portfolio import service as portfolio
from tests.factories import OrganisationFactory, identity_of, patent_number

SYSTEM = Identity.system()
GOOD = {"external_id": "P-1", "title": "一种图像识别方法", "abstract": "基于卷积神经网络的图像识别方法，准确率高。",
        "ipc": ["G06V 10/82", "Y02E 60/10"], "applicant": "示范大学", "cpc": ["G06V10/82"]}


def jsonl(*records) -> io.StringIO:
    """A JSON Lines stream; strings are written as they are (bad lines)."""
    return io.StringIO("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records))


def patents(n: int, **extra) -> list[dict]:
    return [{**GOOD, "external_id": f"P-{i}", "title": f"一种图像识别方法（第{i}号）", **extra} for i in range(n)]


def run(org, stream, fmt="jsonl", identity=SYSTEM, resource="patents", **kwargs) -> dict:
    return portfolio.import_records(identity, resource, org, stream, fmt, **kwargs).as_dict()


def test_a_good_file_imports_every_record_as_drafts_with_all_fields(db_session, university):
    record = {**GOOD, "patent_number": patent_number(), "patent_type": "invention", "inventors": ["张三", "李四"],
              "maturity": "pilot", "trl": 6, "coop_modes": ["assignment", "equity"], "price": 800000,
              "price_negotiable": False, "indicators": [{"name": "准确率", "comparator": "gte", "value": 95, "unit": "%"}]}
    report = run(university, jsonl(record, *patents(4)[2:]))
    assert (report["read"], report["imported"], report["failed"]) == (3, 3, 0)
    patent = patents_service.find_external(university.id, "P-1")
    assert patent.status == ListingStatus.draft and patent.applicant == "示范大学"
    assert patent.ipc_codes == ["G06V 10/82"] and patent.inventors == ["张三", "李四"]
    assert "ignored IPC code 'Y02E 60/10'" in report["warnings"][0]["notes"]  # a CPC-only code is dropped, not fatal
    assert float(patent.asking_price) == 800000 and patent.indicators[0].value == 95
    assert db_session.query(SearchOutbox).filter_by(resource="patents").count() >= 3  # the search outbox is written


def test_a_mixed_file_imports_good_rows_and_reports_each_bad_line_with_its_reason(db_session, university):
    stream = jsonl(GOOD, "{not json", ["a list"], {"external_id": "P-3", "title": "短"}, "",
                   {"title": "没有编号的专利", "abstract": "缺少 external_id 的记录应当被拒绝。"},
                   {**GOOD, "external_id": "P-7", "patent_number": "CN202310123456.0", "maturity": "prototype",
                    "price": -5, "ipc": ["G06F 16/35", "not an ipc"]})
    report = run(university, stream)
    assert (report["read"], report["imported"], report["failed"]) == (6, 1, 5)
    by_line = {e["line"]: e for e in report["errors"]}
    assert sorted(by_line) == [2, 3, 4, 6, 7]  # the blank line 5 is skipped but still counted
    assert "not valid JSON" in by_line[2]["errors"]["_line"][0]
    assert by_line[3]["errors"] == {"_line": ["expected a JSON object"]}
    assert {"abstract", "title"} <= set(by_line[4]["errors"]) and by_line[4]["external_id"] == "P-3"
    assert "external_id" in by_line[6]["errors"]
    assert {"patent_number", "maturity", "price"} <= set(by_line[7]["errors"])
    assert any(m.startswith("price: ") for m in by_line[7]["messages"])
    assert report["warnings"][0]["line"] == 1 and "cpc" in report["warnings"][0]["notes"][0]
    assert db_session.query(Patent).filter_by(org_id=university.id).count() == 1


def test_an_all_bad_file_writes_nothing(db_session, university):
    report = run(university, jsonl({"external_id": "X"}, "[]", {"external_id": "Y", "title": "ok title", "abstract": "短"}))
    assert (report["imported"], report["failed"]) == (0, 3)
    assert db_session.query(Patent).count() == 0 and db_session.query(SearchOutbox).count() == 0


def test_reimport_is_idempotent_and_a_changed_line_updates_in_place(db_session, university):
    first = run(university, jsonl(*patents(3)))
    again = run(university, jsonl(*patents(3)))
    changed = patents(3)
    changed[1]["title"] = "一种改进的图像识别方法"
    third = run(university, jsonl(*changed))
    assert first["imported"] == 3 and again == {**again, "imported": 0, "updated": 0, "unchanged": 3}
    assert (third["updated"], third["unchanged"]) == (1, 2)
    assert db_session.query(Patent).filter_by(org_id=university.id).count() == 3
    assert patents_service.find_external(university.id, "P-1").title == "一种改进的图像识别方法"


def test_a_crash_midway_keeps_committed_batches_whole_and_leaves_no_partial_record(db_session, university, monkeypatch):
    records = patents(7, indicators=[{"name": "准确率", "comparator": "gte", "value": 95, "unit": "%"}])
    original = patents_service._apply

    def crash_on_record_5(obj, loaded):
        original(obj, loaded)  # the record is half-applied when the power goes
        if loaded.get("external_id") == "P-4":
            raise RuntimeError("power cut")

    monkeypatch.setattr(patents_service, "_apply", crash_on_record_5)
    with pytest.raises(RuntimeError):
        run(university, jsonl(*records), batch_size=2)
    imported = db_session.query(Patent).filter_by(org_id=university.id).order_by(Patent.external_id).all()
    assert [p.external_id for p in imported] == ["P-0", "P-1", "P-2", "P-3"]  # batches [0,1], [2,3] committed
    assert all(len(p.indicators) == 1 for p in imported)
    assert db_session.query(SearchOutbox).count() == 4  # no outbox row of the rolled-back batch
    monkeypatch.setattr(patents_service, "_apply", original)
    rerun = run(university, jsonl(*records), batch_size=2)  # running the file again finishes the import
    assert (rerun["imported"], rerun["unchanged"]) == (3, 4)


def test_csv_with_list_cells_json_cells_and_physical_line_numbers(db_session, enterprise):
    csv_text = ("external_id,title,description,keywords,indicators,budget_max,needs_pilot\n"
                'D-1,电池回收技术需求,"需要退役动力电池梯次利用与回收技术，\n要求回收率高。",电池回收;梯次利用,'
                '"[{""name"": ""回收率"", ""comparator"": ""gte"", ""value"": 95, ""unit"": ""%""}]",1000000,true\n'
                "D-2,短,x,,,-5,\n"
                "D-3,[试点] 激光焊接质量检测,需要焊缝缺陷在线检测技术，检出率不低于99%。,焊接,,,\n")
    report = run(enterprise, io.StringIO(csv_text), "csv", resource="demands")
    assert (report["imported"], report["failed"]) == (2, 1)
    assert report["errors"][0]["line"] == 4 and report["errors"][0]["external_id"] == "D-2"
    assert {"title", "description", "budget_max"} <= set(report["errors"][0]["errors"])
    from app.demands.service import demands_service

    demand = demands_service.find_external(enterprise.id, "D-1")
    assert demand.keywords == ["电池回收", "梯次利用"] and demand.indicators[0].name == "回收率" and demand.needs_pilot
    assert demands_service.find_external(enterprise.id, "D-3").title == "[试点] 激光焊接质量检测"


def test_uploads_in_gbk_and_unknown_formats(db_session, university):
    csv_bytes = "external_id,title,abstract\nG-1,一种数据压缩方法,一种基于字典的数据压缩方法，压缩率高。\n".encode("gbk")
    report = portfolio.import_upload(SYSTEM, "patents", university, csv_bytes, "专利.csv").as_dict()
    assert report["imported"] == 1 and patents_service.find_external(university.id, "G-1").title == "一种数据压缩方法"
    with pytest.raises(ValidationFailed) as error:
        portfolio.import_upload(SYSTEM, "patents", university, b"PK\x03\x04", "patents.xlsx")
    assert "file" in error.value.errors
    with pytest.raises(ValidationFailed):
        portfolio.import_upload(SYSTEM, "patents", university, b"\xff\xfe\x00\xd8", "patents.jsonl")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_round_trips_through_import(db_session, university, fmt):
    record = {**GOOD, "patent_number": patent_number(), "keywords": ["图像", "识别;分类"], "inventors": ["王五"],
              "application_date": "2023-03-01", "coop_modes": ["assignment"], "price": 1.5e6, "price_negotiable": False,
              "indicators": [{"name": "识别时延", "comparator": "range", "value": 5, "value_max": 20, "unit": "ms"}],
              "confidential_details": "训练数据来源（保密）"}
    run(university, jsonl(record, *patents(3)[2:]))
    exported = portfolio.export_records(SYSTEM, "patents", university, fmt)
    assert run(university, io.StringIO(exported), fmt)["unchanged"] == 2
    twin = OrganisationFactory(name="另一所大学")
    assert run(twin, io.StringIO(exported), fmt)["imported"] == 2
    mine, theirs = (patents_service.find_external(org.id, "P-1") for org in (university, twin))
    dump = patents_service._full_schema.dump
    skip = {"id", "org_id", "org_name", "created_at", "updated_at"}
    assert {k: v for k, v in dump(mine).items() if k not in skip} == {k: v for k, v in dump(theirs).items() if k not in skip}


def test_only_members_of_a_posting_organisation_import_for_it_and_only_admins_publish(
        db_session, university, enterprise, tto_user, buyer_user, admin_user):
    with pytest.raises(PermissionDenied):  # an enterprise does not post patents
        run(enterprise, jsonl(GOOD), identity=identity_of(buyer_user))
    with pytest.raises(PermissionDenied):  # not the user's organisation
        run(university, jsonl(GOOD), identity=identity_of(buyer_user))
    other_university = OrganisationFactory(name="别的大学")
    with pytest.raises(PermissionDenied):
        run(other_university, jsonl(GOOD), identity=identity_of(tto_user))
    with pytest.raises(PermissionDenied):
        portfolio.target_org(identity_of(tto_user), other_university.id)
    with pytest.raises(PermissionDenied):
        run(university, jsonl(GOOD), identity=identity_of(tto_user), publish=True)
    with pytest.raises(PermissionDenied):
        portfolio.export_records(identity_of(buyer_user), "patents", university, "jsonl")
    assert db_session.query(Patent).count() == 0
    assert run(university, jsonl(GOOD), identity=identity_of(tto_user))["imported"] == 1
    assert run(other_university, jsonl(GOOD), identity=identity_of(admin_user), publish=True)["imported"] == 1
    assert patents_service.find_external(other_university.id, "P-1").status == ListingStatus.approved


def test_an_owner_reimporting_a_published_listing_sends_the_changes_to_review(db_session, university, tto_user):
    run(university, jsonl(GOOD), publish=True)
    changed = {**GOOD, "title": "一种更快的图像识别方法"}
    report = run(university, jsonl(changed), identity=identity_of(tto_user))
    patent = patents_service.find_external(university.id, "P-1")
    assert report["updated"] == 1 and "review" in report["warnings"][-1]["notes"][-1]
    assert patent.title == GOOD["title"] and patent.pending_changes["title"] == changed["title"]  # public version kept
    assert run(university, jsonl(changed), identity=identity_of(tto_user))["unchanged"] == 1
    patents_service.moderate(SYSTEM, patent.id, "approve")
    assert patents_service.find_external(university.id, "P-1").title == changed["title"]


def test_bad_format_and_resource_names_are_refused(db_session, university):
    with pytest.raises(ValidationFailed):
        portfolio.export_records(SYSTEM, "patents", university, "xlsx")
    with pytest.raises(ValidationFailed):
        run(university, jsonl(GOOD), resource="deals")
