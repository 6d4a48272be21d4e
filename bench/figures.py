"""Benchmark of the dashboard queries at scale on PostgreSQL: generates a market (by default 100k deals and about
1M ledger entries) with set-based ``INSERT … SELECT generate_series`` statements, then times every dashboard query.

    python -m bench.figures --database-url postgresql+psycopg://postgres@127.0.0.1:5432/figures_bench --reset

``--reset`` drops and recreates the database's ``public`` schema first (the database must be a scratch one); the
rows are inserted in bulk, bypassing the ORM, so the dashboards' summary tables are rebuilt from them afterwards;
``--deals`` and ``--ledger`` scale the data. Each query runs ``--repeat`` times after one warm-up; the report gives
the median in ms and its ratio to the 200 ms budget per query.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

from sqlalchemy import text

from app.analytics import facts

BUDGET_MS = 200.0
ENTRIES_PER_PAYMENT = 7  # payment (2 legs), release (3), payout (2)


def _generate(session, deals: int, ledger: int) -> dict:
    """Fill the schema; returns the row counts. Dates spread over the three years before today."""
    payments = max(ledger // ENTRIES_PER_PAYMENT, 1)
    approved = int(deals * 0.6)
    orders = max(payments - approved, 0)
    steps = [
        "SELECT setseed(0.13)",
        """INSERT INTO organisations (id, name, kind, region, verification_status, is_demo, created_at, updated_at)
           SELECT i, 'bench org ' || i, (ARRAY['university','institute','enterprise','enterprise','service_provider'])[1 + i % 5],
                  (ARRAY['北京','上海','江苏','广东','浙江','四川','湖北','山东'])[1 + i % 8],
                  CASE WHEN i % 3 = 0 THEN 'unverified' ELSE 'verified' END, false, now(), now()
           FROM generate_series(1, 500) i""",
        """INSERT INTO patents (id, org_id, title, abstract, status, patent_type, legal_status, ipc_codes, keywords,
                                inventors, coop_modes, price_negotiable, view_count, is_demo, industry, region,
                                published_at, created_at, updated_at)
           SELECT i, 1 + (i % 100) * 5 + (i % 2), 'bench patent ' || i, 'abstract', 'approved', 'invention', 'granted',
                  jsonb_build_array((ARRAY['H01M 4/00','A61K 9/00','G06F 3/00','C08L 1/00','B01J 2/00'])[1 + i % 5]),
                  '[]', '[]', '[]', true, (random() * 500)::int, false,
                  (ARRAY['新能源','生物医药','智能制造','新材料','化工'])[1 + i % 5], '北京',
                  now() - (random() * interval '1200 days'), now() - interval '1300 days', now()
           FROM generate_series(1, 20000) i""",
        """INSERT INTO service_offers (id, org_id, title, description, kind, status, qualifications, industries,
                                       keywords, view_count, is_demo, created_at, updated_at)
           SELECT i, 5 * i, 'bench service ' || i, 'desc', CASE WHEN i % 2 = 0 THEN 'pilot' ELSE 'inspection' END,
                  'approved', '[]', '[]', '[]', 0, false, now() - interval '1300 days', now()
           FROM generate_series(1, 100) i""",
        f"""INSERT INTO deals (id, title, buyer_org_id, seller_org_id, status, version, terms, created_at, updated_at,
                              nda_signed_at, approved_at, completed_at, match_id)
            SELECT i, 'bench deal ' || i, 3 + 5 * (i % 100), 1 + (i % 100) * 5 + (i % 2),
                   CASE WHEN i <= {approved} * 0.6 THEN 'completed' WHEN i <= {approved} THEN 'paid' ELSE 'inquiry' END,
                   1, jsonb_build_object('mode', (ARRAY['assignment','exclusive_licence','non_exclusive_licence','development','equity'])[1 + i % 5],
                                         'upfront_fee', ((1 + i % 50) * 10000)::text || '.00'),
                   t, t, CASE WHEN i % 2 = 0 THEN t + interval '3 days' END,
                   CASE WHEN i <= {approved} THEN t + interval '30 days' END,
                   CASE WHEN i <= {approved} * 0.6 THEN t + interval '50 days' END, NULL
            FROM (SELECT i, now() - interval '60 days' - (random() * interval '1035 days') AS t
                  FROM generate_series(1, {deals}) i) d""",
        f"INSERT INTO deal_patents (deal_id, patent_id) SELECT i, 1 + i % 20000 FROM generate_series(1, {deals}) i",
        f"""INSERT INTO deal_offers (deal_id, made_by, status, terms, created_at)
            SELECT id, 'buyer', 'accepted', terms, created_at + interval '7 days' FROM deals WHERE id <= {approved} * 1.2""",
        f"""INSERT INTO service_orders (id, offer_id, title, buyer_org_id, seller_org_id, request_text, status, version,
                                        quote_amount, created_at, updated_at, completed_at)
            SELECT i, 1 + i % 100, 'bench order ' || i, 3 + 5 * (i % 100), 5 * (1 + i % 100), 'x', 'completed', 1,
                   (1 + i % 40) * 1000, t, t, t + (random() * interval '40 days')
            FROM (SELECT i, now() - interval '60 days' - (random() * interval '1035 days') AS t
                  FROM generate_series(1, {orders}) i) o""",
        """INSERT INTO payments (id, payable_kind, payable_id, buyer_org_id, seller_org_id, mode, amount, fee, currency,
                                  provider, provider_ref, idempotency_key, status, created_at, updated_at, held_at)
            SELECT id, 'deal', id, buyer_org_id, seller_org_id, terms->>'mode',
                   ((terms->>'upfront_fee')::numeric * 100)::bigint, 30000, 'cny', 'test', 'pi_b_d' || id, 'b-d' || id,
                   'released', approved_at, approved_at, approved_at + interval '2 days'
            FROM deals WHERE approved_at IS NOT NULL""",
        f"""INSERT INTO payments (id, payable_kind, payable_id, buyer_org_id, seller_org_id, mode, amount, fee, currency,
                                  provider, provider_ref, idempotency_key, status, created_at, updated_at, held_at)
            SELECT {deals} + id, 'service_order', id, buyer_org_id, seller_org_id, 'service_order',
                   (quote_amount * 100)::bigint, 3000, 'cny', 'test', 'pi_b_s' || id, 'b-s' || id, 'released',
                   created_at, created_at, created_at + interval '1 day'
            FROM service_orders""",
        # Three transactions per payment (payment, release, payout), ids derived from the payment id.
        """INSERT INTO ledger_transactions (id, kind, payment_id, currency, created_at)
           SELECT 3 * p.id + k, (ARRAY['payment','release','payout'])[k + 1], p.id, 'cny', p.held_at + k * interval '5 days'
           FROM payments p, generate_series(0, 2) k""",
        """INSERT INTO ledger_entries (transaction_id, account, org_id, amount)
           SELECT 3 * p.id, 'buyer_cash', p.buyer_org_id, -(p.amount + p.fee) FROM payments p
           UNION ALL SELECT 3 * p.id, 'platform_escrow', NULL, p.amount + p.fee FROM payments p
           UNION ALL SELECT 3 * p.id + 1, 'platform_escrow', NULL, -(p.amount + p.fee) FROM payments p
           UNION ALL SELECT 3 * p.id + 1, 'seller_payable', p.seller_org_id, p.amount FROM payments p
           UNION ALL SELECT 3 * p.id + 1, 'platform_fee', NULL, p.fee FROM payments p
           UNION ALL SELECT 3 * p.id + 2, 'seller_payable', p.seller_org_id, -p.amount FROM payments p
           UNION ALL SELECT 3 * p.id + 2, 'payout', p.seller_org_id, p.amount FROM payments p""",
        """INSERT INTO matches (source_resource, source_id, target_resource, target_id, score, explanation, computed_at)
           SELECT 'demands', i, 'patents', i, 0.5, '{}', now() - (random() * interval '1000 days')
           FROM generate_series(1, 50000) i""",
        "UPDATE deals SET match_id = id WHERE id % 10 = 0 AND id <= 50000",
        """INSERT INTO org_incubations (org_id, incubated_on, updated_at)
           SELECT i, current_date - (i * 7), now() FROM generate_series(3, 500, 25) i""",
    ]
    for sql in steps:
        session.execute(text(sql))
    rebuilt = facts.rebuild(session)  # the rows above bypassed the ORM flushes that keep the summary tables
    for table in ("organisations", "patents", "service_offers", "deals", "deal_offers", "service_orders",
                  "payments", "ledger_transactions", "ledger_entries", "matches"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    session.commit()
    session.execute(text("ANALYZE"))
    session.commit()  # statistics gathered inside a transaction are lost with it
    return {**{t: session.scalar(text(f"SELECT count(*) FROM {t}"))
               for t in ("deals", "service_orders", "payments", "ledger_entries")}, **rebuilt}


def _queries(filters_by_name: dict, org_id: int):
    from app.analytics import market, org, review
    from app.core.identity import Identity

    for name, f in filters_by_name.items():
        yield f"funnel [{name}]", lambda f=f: market.funnel(f)
        yield f"contracts [{name}]", lambda f=f: market.contracts(f)
        yield f"service orders [{name}]", lambda f=f: market.service_orders(f)
        yield f"service turnaround [{name}]", lambda f=f: market.service_kinds(f, [])
        yield f"money paid (ledger) [{name}]", lambda f=f: market.money_paid(f)
        yield f"conversion by owner [{name}]", lambda f=f: market.conversion_by_owner(f)
        yield f"matcher [{name}]", lambda f=f: market.matcher(f)
        yield f"organisations [{name}]", lambda f=f: market.organisations(f)
        yield f"org listings [{name}]", lambda: org.listings(org_id)
        yield f"org deals [{name}]", lambda f=f: org.deals(org_id, f)
        yield f"org income (ledger) [{name}]", lambda f=f: org.income(org_id, f)
    yearly = filters_by_name["12 months"]
    yield "whole admin dashboard [12 months]", lambda: market.market_figures(Identity.system(), yearly)
    yield "review report (export, all rows) [12 months]", lambda: review.review_report(Identity.system(), yearly)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a scratch PostgreSQL database")
    parser.add_argument("--reset", action="store_true", help="drop and recreate its public schema first")
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--ledger", type=int, default=1_000_000, help="ledger entries (about)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("the benchmark runs on PostgreSQL")

    from flask_migrate import upgrade

    from app import create_app
    from app.analytics.filters import Filters
    from app.core.extensions import db

    folder = tempfile.mkdtemp(prefix="bench-figures-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench-" * 8,
                      "UPLOAD_DIR": folder, "SEARCH_INDEX_DIR": folder})
    with app.app_context(), app.test_request_context():
        if args.reset:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        started = time.perf_counter()
        counts = _generate(db.session, args.deals, args.ledger)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s")
        today = date.today()
        filters = {"12 months": Filters.default(today),
                   "3 years": Filters(today - timedelta(days=3 * 365), today),
                   "12 months, one region": Filters(Filters.default(today).start, today, region="上海")}
        busiest = db.session.scalar(text("SELECT seller_org_id FROM deals GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"))
        print(f"\n{'query':<52} {'median ms':>10} {'÷ 200 ms':>9}")
        over = 0
        for name, run in _queries(filters, busiest):
            run()  # warm-up
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                run()
                times.append((time.perf_counter() - t0) * 1000)
            median = statistics.median(times)
            over += median > BUDGET_MS and not name.startswith(("whole", "review"))
            print(f"{name:<52} {median:>10.1f} {median / BUDGET_MS:>9.2f}")
        print(f"\n{over} dashboard queries over the {BUDGET_MS:.0f} ms budget "
              f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
