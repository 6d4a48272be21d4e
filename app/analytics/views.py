"""The platform admins' market dashboard: listings by status and resource, organisations by kind and
verification, new listings per week (read-only)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from app.analytics import service
from app.core.identity import current_identity

bp = Blueprint("analytics", __name__, url_prefix="/admin")


@bp.route("/dashboard")
@login_required
def dashboard():
    """Market figures (the service refuses anyone but platform admins)."""
    figures = service.market_figures(current_identity())
    peak = max([sum(week["created"].values()) for week in figures["weeks"]] + [1])
    return render_template("analytics/dashboard.html", figures=figures, peak=peak)
