"""The dashboards' pages: the platform admins' market figures (``/admin/dashboard``), an organisation's own
dashboard (``/orgs/<id>/dashboard``, ``/my/dashboard``), each chart's CSV, the incubation mark and the review
report (``/admin/reports``). Thin: the services ask AnalyticsPolicy and compute; these parse and render.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from app.analytics import charts as chart_specs
from app.analytics import incubation, market, org, review, service
from app.analytics.filters import Filters, FilterSchema
from app.analytics.policy import analytics_policy
from app.core import spreadsheet
from app.core.errors import ValidationFailed
from app.core.formatting import local_today
from app.core.identity import current_identity

bp = Blueprint("analytics", __name__)


def _filters() -> tuple[Filters | None, dict]:
    """The query string's filters, or None and the errors per field."""
    try:
        return FilterSchema().load(request.args), {}
    except ValidationError as error:
        return None, error.normalized_messages()


def _strict_filters() -> Filters:
    """The filters of a download; bad input is a 422 naming the field (nothing to show a message next to)."""
    filters, errors = _filters()
    if errors:
        raise ValidationFailed(errors)
    return filters


def _csv(chart, name: str) -> Response:
    if chart is None:
        abort(404)
    return Response(chart.csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{chart.key}.csv"'})


@bp.route("/admin/dashboard")
@login_required
def dashboard():
    """Market figures with charts; bad filters are shown next to their fields (400) with no figures."""
    identity = current_identity()
    filters, errors = _filters()
    figures = market.market_figures(identity, filters) if filters else None
    listings = service.market_figures(identity)
    peak = max([sum(week["created"].values()) for week in listings["weeks"]] + [1])
    return render_template("analytics/dashboard.html", figures=listings, peak=peak, market=figures,
                           charts=chart_specs.market_charts(figures) if figures else [], errors=errors,
                           regions=market.regions(), args=request.args), 400 if errors else 200


@bp.route("/admin/dashboard/<key>.csv")
@login_required
def dashboard_csv(key):
    """One chart of the market dashboard as CSV."""
    figures = market.market_figures(current_identity(), _strict_filters())
    return _csv(chart_specs.find(chart_specs.market_charts(figures), key), "techbridge-market")


@bp.route("/my/dashboard")
@login_required
def my_dashboard():
    """The signed-in person's organisation dashboard."""
    identity = current_identity()
    if identity.org_id is None:
        abort(404)
    return redirect(url_for("analytics.org_dashboard", org_id=identity.org_id, **request.args))


@bp.route("/orgs/<int:org_id>/dashboard")
@login_required
def org_dashboard(org_id):
    """An organisation's own figures (its people and platform admins)."""
    identity = current_identity()
    filters, errors = _filters()
    figures = org.org_figures(identity, org_id, filters or Filters.default())
    return render_template("analytics/org_dashboard.html", figures=figures,
                           charts=[] if errors else chart_specs.org_charts(figures), errors=errors,
                           incubation=incubation.incubation_of(org_id), args=request.args,
                           may_set_incubation=analytics_policy.allows("set_incubation", identity,
                                                                             figures["org"]),
                           today=local_today()), 400 if errors else 200


@bp.route("/orgs/<int:org_id>/dashboard/<key>.csv")
@login_required
def org_dashboard_csv(org_id, key):
    """One chart of an organisation's dashboard as CSV."""
    figures = org.org_figures(current_identity(), org_id, _strict_filters())
    return _csv(chart_specs.find(chart_specs.org_charts(figures), key), f"techbridge-org{org_id}")


@bp.route("/admin/orgs/<int:org_id>/incubation", methods=["POST"])
@login_required
def set_incubation(org_id):
    """Mark or clear an organisation as incubated (platform admins; audited)."""
    raw = (request.form.get("incubated_on") or "").strip()
    clear = request.form.get("clear") == "1"
    try:
        day = None if clear else date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({"incubated_on": [_("Enter a date as YYYY-MM-DD.")]}) from None
    incubation.set_incubation(current_identity(), org_id, day, request.form.get("note"))
    flash(_("Incubation mark cleared.") if clear else _("Incubation mark saved."), "success")
    return redirect(url_for("analytics.org_dashboard", org_id=org_id))


def _review_filters() -> tuple[Filters | None, dict]:
    """A review period from ``kind`` (annual / three_year) and ``year``, or from ``start``/``end``."""
    if "year" in request.args:
        try:
            year = int(request.args["year"])
        except ValueError:
            return None, {"year": [_("Enter a year.")]}
        if not 2000 <= year <= 2100:
            return None, {"year": [_("Enter a year.")]}
        kind = request.args.get("kind", "annual")
        if kind not in ("annual", "three_year"):
            return None, {"kind": [_("Choose annual or three-year.")]}
        return review.period(kind, year), {}
    return _filters()


@bp.route("/admin/reports")
@login_required
def reports():
    """The review report of a period on the page, with its PDF, XLSX and CSV downloads."""
    filters, errors = _review_filters()
    report = review.review_report(current_identity(), filters or Filters.default())
    return render_template("analytics/review.html", report=None if errors else report, errors=errors,
                           args=request.args, kpis=[] if errors else review.kpi_rows(report),
                           this_year=local_today().year,
                           contract_types=chart_specs.CONTRACT_TYPE_LABELS), 400 if errors else 200


@bp.route("/admin/reports/review.<fmt>")
@login_required
def report_file(fmt):
    """The review report as PDF, XLSX or CSV."""
    if fmt not in REVIEW_FORMATS:
        abort(404)
    filters, errors = _review_filters()
    if errors:
        raise ValidationFailed(errors)
    report = review.review_report(current_identity(), filters)
    name = f"techbridge-review-{filters.start.isoformat()}-{filters.end.isoformat()}.{fmt}"
    render, mimetype = REVIEW_FORMATS[fmt]
    return Response(render(report), mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


REVIEW_FORMATS = {"pdf": (review.review_pdf, "application/pdf"), "xlsx": (review.review_xlsx, spreadsheet.MIME),
                  "csv": (review.review_csv, "text/csv")}
