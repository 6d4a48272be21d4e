"""The issue's import promise at full size: a 10,000-line file with 5% bad rows imports the good rows,
reports each bad one with its line number, and a second run changes nothing (through the real command)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.indexing.models import SearchOutbox
from app.orgs import service as orgs
from app.patents.models import Patent

LINES = 10_000
BAD_EVERY = 20  # every 20th line is bad: 5%
# Ways a line goes wrong, in turn: not JSON, no title, a bad patent number, an unknown maturity, a negative price.
# (Unknown IPC codes are dropped with a note, not refused: see the import's documentation.)
BAD_KINDS = [
    lambda i: "{broken json",
    lambda i: json.dumps({"external_id": f"B-{i}", "abstract": "缺少标题的专利记录，应被拒绝。"}),
    lambda i: json.dumps({"external_id": f"B-{i}", "title": "专利号有误", "abstract": "专利号校验位不正确的记录。",
                          "patent_number": "CN202310123456.0"}),
    lambda i: json.dumps({"external_id": f"B-{i}", "title": "成熟度未知", "abstract": "技术成熟度取值未知的记录。",
                          "maturity": "prototype"}),
    lambda i: json.dumps({"external_id": f"B-{i}", "title": "价格为负", "abstract": "挂牌价格为负数的记录。",
                          "price": -1, "price_negotiable": False}),
]


def _line(i: int) -> str:
    if i % BAD_EVERY == 0:
        return BAD_KINDS[(i // BAD_EVERY) % len(BAD_KINDS)](i)
    return json.dumps({"external_id": f"P-{i}", "title": f"一种数据处理方法（第{i}号）",
                       "abstract": f"本发明公开了第{i}号数据处理方法，提高了处理效率。", "ipc": ["G06F 16/35"],
                       "keywords": ["数据处理"], "maturity": "lab"}, ensure_ascii=False)


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "portfolio.jsonl"
    path.write_text("".join(_line(i) + "\n" for i in range(1, LINES + 1)), encoding="utf-8")
    return str(path)


def test_ten_thousand_lines_with_five_percent_bad_rows(app, db_session, big_file, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_DRAIN_AFTER_COMMIT", False)  # the outbox is written; indexing is not the subject
    runner = app.test_cli_runner()
    args = ["import", "patents", big_file, "--org", "规模测试大学", "--create-org", "--json"]
    first = runner.invoke(args=args)
    report = json.loads(first.stdout)
    bad_lines = list(range(BAD_EVERY, LINES + 1, BAD_EVERY))
    assert (report["read"], report["imported"], report["failed"]) == (LINES, LINES - len(bad_lines), len(bad_lines))
    assert [error["line"] for error in report["errors"]] == bad_lines
    assert all(error["messages"] for error in report["errors"])
    by_line = {error["line"]: error for error in report["errors"]}
    assert "title" in by_line[20]["errors"] and "patent_number" in by_line[40]["errors"]
    assert "maturity" in by_line[60]["errors"] and "price" in by_line[80]["errors"] and "_line" in by_line[100]["errors"]

    org = orgs.find_by_name("规模测试大学")
    count = select(func.count()).select_from(Patent).where(Patent.org_id == org.id)
    assert db_session.scalar(count) == LINES - len(bad_lines)
    outbox = db_session.scalar(select(func.count()).select_from(SearchOutbox))
    newest = db_session.scalar(select(func.max(Patent.updated_at)).where(Patent.org_id == org.id))

    second = json.loads(runner.invoke(args=args).stdout)
    assert (second["imported"], second["updated"], second["unchanged"], second["failed"]) == (
        0, 0, LINES - len(bad_lines), len(bad_lines))
    assert db_session.scalar(count) == LINES - len(bad_lines)
    assert db_session.scalar(select(func.count()).select_from(SearchOutbox)) == outbox  # nothing re-queued
    assert db_session.scalar(select(func.max(Patent.updated_at)).where(Patent.org_id == org.id)) == newest
