"""Web pages: home, search with facets, listing pages with explained matches, login/logout, language.

Views parse the request, call one service and render; every rule lives in the services and policies.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _
from flask_login import login_user, logout_user
from markupsafe import Markup

from ..accounts import service as accounts
from ..discovery import service as discovery
from ..extensions import limiter
from ..identity import current_identity
from ..listings.registry import listing_services
from ..matching import service as matching

bp = Blueprint("web", __name__)
RESOURCE_NAMES = {"patents": "专利", "demands": "技术需求", "services": "中试与检验检测服务"}
PAGE_FILTERS = ("region", "maturity", "required_maturity", "kind")


@bp.app_context_processor
def locale_context() -> dict:
    """The active locale for ``<html lang>``."""
    return {"locale": str(get_locale())}


@bp.app_template_filter("marked")
def marked(fragment: str) -> Markup:
    """Highlight fragments are escaped by the search package except for its own ``<mark>`` tags."""
    return Markup(fragment)


@bp.route("/")
def home():
    identity = current_identity()
    latest = {resource: discovery.search_listings(identity, resource, {"page": 1, "per_page": 5, "sort": "newest"})
              for resource in RESOURCE_NAMES}
    return render_template("web/home.html", latest=latest, names=RESOURCE_NAMES)


@bp.route("/search/<resource>")
def search_page(resource):
    if resource not in RESOURCE_NAMES:
        abort(404)
    params = {"q": request.args.get("q", "")[:10_000], "page": max(1, request.args.get("page", 1, type=int) or 1),
              "per_page": 20, "sort": "relevance"}
    for field in PAGE_FILTERS:
        values = request.args.getlist(field)
        if values and field in discovery.FACETS[resource]:
            params[field] = values
    result = discovery.search_listings(current_identity(), resource, params)
    return render_template("web/search.html", resource=resource, names=RESOURCE_NAMES, result=result, params=params)


@bp.route("/<any(patents, demands, services):resource>/<int:listing_id>")
def listing_page(resource, listing_id):
    identity = current_identity()
    service = listing_services()[resource]
    obj = service.get(identity, listing_id)
    listing = service.dump(identity, obj)
    matches, services = [], []
    if resource == "demands":
        matches = matching.rank(identity, matching.DEMAND_TO_PATENTS, obj, limit=10)
        if obj.needs_pilot or obj.needs_inspection:
            services = matching.rank(identity, matching.DEMAND_TO_SERVICES, obj, limit=5)
    elif resource == "patents":
        matches = matching.rank(identity, matching.PATENT_TO_DEMANDS, obj, limit=10)
    return render_template("web/listing.html", resource=resource, names=RESOURCE_NAMES, listing=listing,
                           matches=matches, services=services)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if request.method == "POST":
        user = accounts.authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if user is None:
            flash(_("E-mail or password is wrong."), "error")
            return render_template("web/login.html", email=request.form.get("email", "")), 422
        login_user(user)
        return redirect(_local_url(request.args.get("next")) or url_for("web.home"))
    return render_template("web/login.html", email="")


def _local_url(target: str | None) -> str | None:
    """``target`` if it is a path on this site; ``None`` for absent or off-site targets ("//host", "http://…")."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("web.home"))


@bp.route("/language/<code>", methods=["POST"])
def language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("web.home"))

