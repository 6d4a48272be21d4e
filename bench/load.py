"""``python -m bench.load [--database-url URL]``: a bounded load test of the real server, on loopback only.

Starts gunicorn itself (``--workers``, default 2) on 127.0.0.1 at a free port, against a fresh database with the
demo data (a SQLite file in a temporary folder, or the PostgreSQL database of ``--database-url``, whose public
schema is dropped and rebuilt), then measures three things and prints one JSON report:

- **writes**: ``--writers`` threads (20) create patents through the API for ``--seconds`` (30), each request with
  its own ``Idempotency-Key``, every fifth one retried with the same key and body. Expected: no 5xx, the new rows
  in the database = the distinct ids of the successful responses, every retry answered with the first id.
- **search API**: ``--clients`` threads (20) query ``GET /api/v1/search/patents`` for ``--read-seconds`` (15):
  requests per second, p50/p95 latency, errors.
- **listing page**: the same for ``GET /patents/<id>`` over the demo's published patents.
- **publish → searchable**: ``--publishers`` threads (4) each create, submit and have the platform admin approve
  patents for ``--publish-seconds`` (15), then poll the search API for each one: the delay from sending the
  approval (an upper bound on its commit) to the first search that finds it. Expected: every one within 2 s.

Every loop is bounded by time and by a request count, and the server is stopped at the end, whatever happens.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
WRITER_EMAIL = "tto@demo.techbridge.cn"
ADMIN_EMAIL = "admin@demo.techbridge.cn"
SEARCHABLE_WITHIN_S = 2.0
DEMO_PASSWORD = "techbridge-demo"
MAX_REQUESTS_PER_THREAD = 2_000
RETRY_EVERY = 5
QUERIES = ["电池", "正极材料", "锂离子电池", "催化剂", "传感器", "图像识别", "新能源汽车", "半导体", "复合材料",
           "检测方法", "hydrogen", "石墨烯", "储能", "光伏", "生物医药"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    """One request on a new connection (gunicorn's sync workers close each one): (status, headers, JSON or None,
    seconds)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    payload = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json", **(headers or {})} if payload is not None else dict(headers or {})
    started = time.perf_counter()
    try:
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        kind = response.getheader("Content-Type") or ""
        parsed = json.loads(data) if data and kind.startswith("application/json") else None
        return response.status, dict(response.getheaders()), parsed, elapsed
    finally:
        connection.close()


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare_database(url: str | None, folder: Path) -> str:
    """A fresh database URL: a new SQLite file, or ``url`` (PostgreSQL) with its public schema rebuilt."""
    if not url:
        return f"sqlite:///{folder / 'load.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def server_environment(database_url: str, folder: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "SEARCH_INDEX_DIR": str(folder / "search"),
        "UPLOAD_DIR": str(folder / "uploads"),
        "TECHBRIDGE_ENV": "development",
        "LOGIN_RATE_LIMIT": "10000 per minute",  # the writers log in once each; the limit is not under test
    }


def flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_server(env: dict, port: int, workers: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{port}", "--limit-request-line", "8190",
         "--timeout", "120", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/api/v1/openapi.json")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def run_threads(count: int, target) -> None:
    threads = [threading.Thread(target=target, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def writes(port: int, token: str, writers: int, seconds: float, run: str) -> dict:
    """Concurrent creates with Idempotency-Keys, some retried; returns the counts."""
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    created_ids: set[int] = set()
    retries = {"sent": 0, "same_id": 0, "replayed": 0}
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    auth = {"Authorization": f"Bearer {token}"}

    def writer(n: int) -> None:
        for i in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() >= deadline:
                return
            key = f"{run}-{n}-{i}"
            body = {"title": f"负载测试 {run} {n}-{i} 一种储能电池", "abstract": "负载测试写入的专利摘要，用于验证并发写入。"}
            status, _, payload, elapsed = request(port, "POST", "/api/v1/patents", body, {**auth, "Idempotency-Key": key})
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(elapsed)
                if status == 201:
                    created_ids.add(payload["id"])
            if status == 201 and i % RETRY_EVERY == 0:  # the client "lost" the answer and retries
                again, headers, replay, _ = request(port, "POST", "/api/v1/patents", body,
                                                    {**auth, "Idempotency-Key": key})
                with lock:
                    retries["sent"] += 1
                    statuses[again] = statuses.get(again, 0) + 1
                    retries["same_id"] += bool(replay and replay.get("id") == payload["id"])
                    retries["replayed"] += headers.get("Idempotent-Replayed") == "true"

    started = time.monotonic()
    run_threads(writers, writer)
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    return {
        "writers": writers, "seconds": round(elapsed, 1), "requests": total,
        "requests_per_second": round(total / elapsed, 1), "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500), "created": len(created_ids),
        "retries": retries, "p50_ms": ms(percentile(latencies, 0.5)), "p95_ms": ms(percentile(latencies, 0.95)),
    }


def reads(port: int, clients: int, seconds: float, paths: list[str]) -> dict:
    """``clients`` threads GET random ``paths`` for ``seconds``: throughput and latency."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + seconds
    rng = random.Random(42)

    def reader(n: int) -> None:
        for _ in range(MAX_REQUESTS_PER_THREAD * 5):
            if time.monotonic() >= deadline:
                return
            with lock:
                path = rng.choice(paths)
            status, _, _, elapsed = request(port, "GET", path)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(elapsed)

    started = time.monotonic()
    run_threads(clients, reader)
    elapsed = time.monotonic() - started
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": ms(percentile(latencies, 0.5)), "p95_ms": ms(percentile(latencies, 0.95)),
        "mean_ms": ms(statistics.fmean(latencies) if latencies else None),
    }


def ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 1) if seconds is not None else None


def logged_errors(log_text: str) -> dict:
    """How many tracebacks the server logged, and the distinct exception lines that ended them."""
    lines = log_text.splitlines()
    endings, inside = [], False
    for line in lines:
        if line.startswith("Traceback"):
            inside = True
        elif inside and line and not line.startswith((" ", "\t", "During handling", "The above exception")):
            endings.append(line[:200])
            inside = False
    return {"tracebacks": sum(line.startswith("Traceback") for line in lines),
            "exceptions": sorted(set(endings))[:10]}


def count_rows(database_url: str, run: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM patents WHERE title LIKE :prefix"),
                                  {"prefix": f"负载测试 {run} %"}).scalar_one()
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL (its public schema is rebuilt); default: SQLite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--read-seconds", type=float, default=15)
    parser.add_argument("--publishers", type=int, default=4)
    parser.add_argument("--publish-seconds", type=float, default=15)
    parser.add_argument("--server-log", help="copy the server's log to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="techbridge-load-") as tmp:
        folder = Path(tmp)
        database_url = prepare_database(args.database_url, folder)
        env = server_environment(database_url, folder)
        for command in (("db", "upgrade"), ("seed-demo",), ("search", "reindex")):
            flask(env, *command)
        port = free_port()
        with open(folder / "gunicorn.log", "w") as log:
            server = start_server(env, port, args.workers, log)
            try:
                report = measure(port, args, database_url)
            finally:
                server.terminate()
                server.wait(timeout=30)
        server_log = (folder / "gunicorn.log").read_text(errors="replace")
        report["server_errors_logged"] = logged_errors(server_log)
        if args.server_log:
            Path(args.server_log).write_text(server_log)
    report["database"] = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    print(json.dumps(report, ensure_ascii=False, indent=2))
    ok = report["writes"]["server_errors"] == 0 and report["writes"]["rows_equal_successes"] and \
        report["writes"]["retries"]["same_id"] == report["writes"]["retries"]["sent"] and \
        report["publish_to_search"]["server_errors"] == 0 and \
        report["publish_to_search"]["searchable_in_time"] == report["publish_to_search"]["published"]
    sys.exit(0 if ok else 1)


def log_in(port: int, email: str) -> str:
    """A bearer token of the demo account ``email``."""
    status, _, token, _ = request(port, "POST", "/api/v1/auth/tokens",
                                  {"email": email, "password": DEMO_PASSWORD, "name": "load test"})
    if status != 201:
        raise RuntimeError(f"could not log in as {email}: {status}")
    return token["token"]


def measure(port: int, args, database_url: str) -> dict:
    token = {"token": log_in(port, WRITER_EMAIL)}
    _, _, listing, _ = request(port, "GET", "/api/v1/patents?per_page=100")
    pages = [f"/patents/{item['id']}" for item in listing]
    searches = [f"/api/v1/search/patents?q={quote(q)}" for q in QUERIES]
    run = uuid.uuid4().hex[:8]
    report = {"workers": args.workers}
    report["search_api"] = reads(port, args.clients, args.read_seconds, searches)
    report["listing_page"] = reads(port, args.clients, args.read_seconds, pages)
    report["writes"] = writes(port, token["token"], args.writers, args.seconds, run)
    rows = count_rows(database_url, run)
    report["writes"]["rows"] = rows
    report["writes"]["rows_equal_successes"] = rows == report["writes"]["created"]
    report["publish_to_search"] = publishing(port, token["token"], log_in(port, ADMIN_EMAIL), args.publishers,
                                             args.publish_seconds, run)
    return report


def publishing(port: int, owner: str, admin: str, publishers: int, seconds: float, run: str) -> dict:
    """Publish patents (create, submit, approve) from several threads; how soon each one is found by search."""
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    delays: list[float] = []
    deadline = time.monotonic() + seconds

    def call(method: str, path: str, token: str, body: dict | None = None):
        status, _, payload, _ = request(port, method, path, body, {"Authorization": f"Bearer {token}"})
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
        return status, payload

    def publisher(n: int) -> None:
        for i in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() >= deadline:
                return
            title = f"检索时效测试 {run} {n} {i} 固态电解质"
            status, created = call("POST", "/api/v1/patents", owner,
                                   {"title": title, "abstract": "用于测量发布到可检索之间延迟的专利摘要。"})
            if status != 201 or call("POST", f"/api/v1/patents/{created['id']}/submit", owner)[0] != 200:
                continue
            sent = time.monotonic()
            status, _ = call("POST", "/api/v1/admin/moderation/bulk", admin,
                             {"resource": "patents", "ids": [created["id"]], "decision": "approve"})
            if status != 200:
                continue
            path = f"/api/v1/search/patents?q={quote(title)}&per_page=5"
            while time.monotonic() - sent < SEARCHABLE_WITHIN_S * 10:
                hits = request(port, "GET", path)[2] or {}
                if any(hit["id"] == created["id"] for hit in hits.get("hits", [])):
                    break
                time.sleep(0.02)
            with lock:
                delays.append(time.monotonic() - sent)

    run_threads(publishers, publisher)
    return {
        "publishers": publishers, "published": len(delays),
        "searchable_in_time": sum(delay <= SEARCHABLE_WITHIN_S for delay in delays),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "delay_p50_ms": ms(percentile(delays, 0.5)), "delay_max_ms": ms(max(delays) if delays else None),
    }


if __name__ == "__main__":
    main()
