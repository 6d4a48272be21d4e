"""Killing an import midway (SIGKILL, no chance to clean up) leaves no partial record, and running the same file
again completes it without duplicates. The import runs as the real command in its own process, on its own
SQLite database, so the kill cannot touch the test database."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

LINES = 3000
ROOT = Path(__file__).resolve().parents[2]


def _record(i: int) -> str:
    return json.dumps({"external_id": f"K-{i}", "title": f"一种电池热管理方法（第{i}号）",
                       "abstract": f"本发明公开了第{i}号动力电池热管理方法，降低了温差。", "ipc": ["H01M 10/613"],
                       "keywords": ["热管理"], "maturity": "pilot",
                       "indicators": [{"name": "温差", "comparator": "lte", "value": 3, "unit": "℃"},
                                      {"name": "能量密度", "comparator": "gte", "value": 250, "unit": "Wh/kg"}]},
                      ensure_ascii=False)


@pytest.fixture
def world(tmp_path):
    """A file, a migrated SQLite database of its own and the environment the command runs in."""
    data = tmp_path / "portfolio.jsonl"
    data.write_text("\n".join(_record(i) for i in range(LINES)) + "\n", encoding="utf-8")
    database = tmp_path / "killed.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "kill-test-" + "x" * 32,
           "SEARCH_INDEX_DIR": str(tmp_path / "search"), "UPLOAD_DIR": str(tmp_path / "uploads"),
           "SEARCH_DRAIN_AFTER_COMMIT": "0", "TECHBRIDGE_ENV": "development"}
    subprocess.run(_flask("db", "upgrade"), env=env, cwd=ROOT, check=True, capture_output=True)
    return data, database, env


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _import(data: Path) -> list[str]:
    return _flask("import", "patents", str(data), "--org", "断电测试大学", "--create-org")


def _counts(database: Path) -> tuple[int, int]:
    """(patents, patents whose two indicator rows are not both there)."""
    with sqlite3.connect(database) as connection:
        patents = connection.execute("SELECT count(*) FROM patents").fetchone()[0]
        partial = connection.execute(
            "SELECT count(*) FROM patents p WHERE (SELECT count(*) FROM patent_indicators i WHERE i.patent_id = p.id) != 2"
        ).fetchone()[0]
    return patents, partial


def test_a_killed_import_leaves_whole_records_and_a_rerun_completes_it(world):
    data, database, env = world
    process = subprocess.Popen(_import(data), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        try:
            if _counts(database)[0] >= 100:
                break
        except sqlite3.OperationalError:  # locked by the writer for a moment
            continue
    assert process.poll() is None, "the import finished before it could be killed; make the file bigger"
    process.send_signal(signal.SIGKILL)
    process.wait()
    imported, partial = _counts(database)
    assert 0 < imported < LINES and partial == 0
    subprocess.run(_import(data), env=env, cwd=ROOT, check=True, capture_output=True)
    assert _counts(database) == (LINES, 0)
    with sqlite3.connect(database) as connection:
        distinct = connection.execute("SELECT count(DISTINCT external_id) FROM patents").fetchone()[0]
    assert distinct == LINES
