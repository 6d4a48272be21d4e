"""The demo data gives every dashboard chart something to show, labelled as demo, with a balanced ledger."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.analytics import charts, market
from app.analytics.demo import DEMO_MARK, seed_market
from app.analytics.filters import Filters
from app.core.extensions import db
from app.core.formatting import local_today
from app.core.identity import Identity
from app.deals.models import Deal
from app.payments.models import LedgerEntry


def test_seed_demo_fills_every_market_chart(app, db_session):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "84 demo deals and service orders added" in result.output
    assert seed_market() == 0  # once only
    assert db.session.scalar(select(func.count()).where(~Deal.title.startswith(DEMO_MARK))) == 0
    assert db.session.scalar(select(func.sum(LedgerEntry.amount))) == 0
    today = local_today()
    with app.test_request_context():
        figures = market.market_figures(Identity.system(), Filters(today - timedelta(days=600), today))
        drawn = {c.key: c for c in charts.market_charts(figures)}
    for key, chart in drawn.items():
        assert chart.rows and any(any(row.get(col.key) for col in chart.columns if col.plot) for row in chart.rows), key
    assert figures["funnel"][-1]["count"] > 0 and figures["organisations"]["incubated"] == 2
