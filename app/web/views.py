"""Web pages: home, search with facets, listing pages with explained matches, login/logout, language.

Views parse the request, call one service and render; every rule lives in the services and policies.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from marshmallow import ValidationError, fields

from app.accounts import service as accounts
from app.core import labels
from app.core.cache import LRUCache
from app.core.errors import ValidationFailed
from app.core.formatting import format_money
from app.core.identity import current_identity
from app.core.search import notice_if_unavailable
from app.discovery import service as discovery
from app.discovery.schemas import search_args
from app.listings.registry import kind, kinds, listing_services
from app.matching import alerts
from app.matching import service as matching
from app.notifications import service as notifications
from app.orgs import service as orgs
from app.patents import attachments
from app.security.limits import credential_limits
from app.security.redirects import local_url
from app.web.facts import listing_facts

bp = Blueprint("web", __name__)
PER_PAGE = 20
ORG_PAGE_LISTINGS = 20  # per kind on an organisation's profile; the search page has the rest
SORT_LABELS = {"relevance": _l("Relevance"), "newest": _l("Newest"), "price_asc": _l("Price: low to high"),
               "price_desc": _l("Price: high to low")}


@bp.app_context_processor
def page_context() -> dict:
    """The active locale for ``<html lang>``, label helpers, and the user's unread notification count."""
    return {"locale": str(get_locale()), "value_label": labels.value_label, "field_label": labels.field_label,
            "unread_notifications": notifications.unread_count(current_identity())}


@bp.app_template_filter("marked")
def marked(fragment: str) -> Markup:
    """Highlight fragments are escaped by the search package except for its own ``<mark>`` tags."""
    return Markup(fragment)


def _names() -> dict:
    """Each listing kind's name in the reader's language."""
    return {resource: declared.name for resource, declared in kinds().items()}


@bp.route("/")
def home():
    identity = current_identity()
    latest = {}
    with notice_if_unavailable():
        latest = {resource: discovery.search_listings(identity, resource, {"page": 1, "per_page": 5, "sort": "newest"})
                  for resource in kinds()}
    return render_template("web/home.html", latest=latest, names=_names())


@bp.route("/search/<resource>")
def search_page(resource):
    """Search with every facet of the resource, sort, price/budget range, pages and title suggestions."""
    if resource not in kinds():
        abort(404)
    params, errors = _search_params(resource)
    result = discovery.search_listings(current_identity(), resource, {**params, "per_page": PER_PAGE})
    pages = max(1, -(-result["total"] // PER_PAGE))
    return render_template("web/search.html", resource=resource, names=_names(), result=result, params=params,
                           errors=errors, pages=pages, facet_fields=kind(resource).facets,
                           range_prefix=next(iter(kind(resource).ranges), None), sorts=SORT_LABELS,
                           query_string=_query_string), 400 if errors else 200


@bp.route("/search/<resource>/save", methods=["POST"])
@login_required
def save_search(resource):
    """Save the search the page shows; its owner is alerted when a newly published listing matches."""
    if resource not in kinds():
        abort(404)
    params, _errors = _search_params(resource)
    try:
        alerts.save_search(current_identity(), resource, request.form.get("name", ""),
                           {k: v for k, v in params.items() if k not in ("page", "sort")})
        flash(_("Search saved: you will be told when a new listing matches it."), "ok")
    except ValidationFailed as error:
        flash(_("The search was not saved: %(errors)s", errors=_messages(error.errors)), "error")
    return redirect(url_for("web.search_page", resource=resource, **request.args.to_dict(flat=False)))


@bp.route("/<kind:resource>/<int:listing_id>")
def listing_page(resource, listing_id):
    """A listing with its explained matches and, for patents, similar patents."""
    identity = current_identity()
    service = listing_services()[resource]
    obj = service.get(identity, listing_id)
    service.record_view(obj)
    listing = service.dump(identity, obj)
    files = attachments.list_for(identity, listing_id) if resource == "patents" else []
    return render_template("web/listing.html", resource=resource, names=_names(), listing=listing,
                           facts=listing_facts(resource, listing), files=files,
                           related=_related_sections(identity, resource, obj))


# What a listing page shows beside the listing: the kinds of its matches and similar listings.
RELATED_KINDS = {"patents": ("demands", "patents"), "demands": ("patents", "services")}
# Rendered related sections, reused until a listing or vector changes: ranking and explaining them is most of
# a listing page's work, and the same page is viewed again and again.
_related_cache = LRUCache(1024)


def _related_sections(identity, resource: str, obj) -> Markup:
    """The listing's explained matches, services and similar listings as HTML (empty when there are none)."""
    targets = RELATED_KINDS.get(resource, ())
    if not targets:
        return Markup("")
    key = (resource, obj.id, str(get_locale()),
           tuple(repr(listing_services()[target].policy.search_filter("read", identity)) for target in targets),
           matching.data_version(*targets))
    cached = _related_cache.get(key)
    if cached is not None:
        return cached
    matches, services, similar = [], [], []
    with notice_if_unavailable():  # the listing itself comes from the database; only these need the engine
        if resource == "demands":
            matches = matching.cached_matches(identity, matching.DEMAND_TO_PATENTS, obj, limit=10)
            if obj.needs_pilot or obj.needs_inspection:
                services = matching.cached_matches(identity, matching.DEMAND_TO_SERVICES, obj, limit=5)
        else:
            matches = matching.cached_matches(identity, matching.PATENT_TO_DEMANDS, obj, limit=10)
            similar = discovery.similar(identity, resource, obj.id)
    html = Markup(render_template("web/_related.html", resource=resource, matches=matches, services=services,
                                  similar=similar))
    if not g.get("search_unavailable"):
        _related_cache.put(key, html)
    return html


@bp.route("/orgs/<int:org_id>")
def org_page(org_id):
    """An organisation's public profile: kind, region, verified status, its published listings, how to contact."""
    identity = current_identity()
    org = orgs.get(identity, org_id)
    listings = {}
    for resource, service in listing_services().items():
        rows, total = service.list(identity, org_id=org.id, status="approved", per_page=ORG_PAGE_LISTINGS)
        if total:
            listings[resource] = (service.dump_many(identity, rows), total)
    return render_template("web/org.html", org=org, profile=orgs.dump(identity, org), listings=listings,
                           names=_names(), org_id=org.id)


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications_page():
    """The user's notifications and saved searches; POST marks everything read."""
    identity = current_identity()
    if request.method == "POST":
        notifications.mark_read(identity)
        return redirect(url_for("web.notifications_page"))
    rows, total, unread = notifications.inbox(identity, per_page=50)
    return render_template("web/notifications.html", rows=rows, total=total, unread=unread,
                           saved=alerts.saved_searches(identity), names=_names())


@bp.route("/saved-searches/<int:saved_id>/delete", methods=["POST"])
@login_required
def delete_saved_search(saved_id):
    alerts.delete_saved_search(current_identity(), saved_id)
    flash(_("Saved search deleted."), "ok")
    return redirect(url_for("web.notifications_page"))


def _search_params(resource: str) -> tuple[dict, dict]:
    """The page's query string validated by the search API's own schema; bad fields are dropped and named."""
    schema = search_args(resource)()
    raw = {name: request.args.getlist(name) if isinstance(field, fields.List) else request.args.get(name)
           for name, field in schema.fields.items() if name in request.args}
    raw = {name: value for name, value in raw.items() if value not in ("", [""])}
    try:
        params, errors = schema.load(raw), {}
    except ValidationError as error:  # load again without the bad fields (only when there are some)
        errors = error.normalized_messages()
        params = schema.load({k: v for k, v in raw.items() if k not in errors})
    for prefix in kind(resource).ranges:
        low, high = params.get(f"{prefix}_min"), params.get(f"{prefix}_max")
        if low is not None and high is not None and low > high:
            # A reversed range finds nothing; saying so beats "0 results, change your keywords".
            errors[f"{prefix}_max"] = [_("The upper bound (%(high)s) is below the lower bound (%(low)s): the range "
                                         "was not applied.", high=format_money(high), low=format_money(low))]
            del params[f"{prefix}_min"], params[f"{prefix}_max"]
    return params, errors


def _query_string(**changes) -> str:
    """The current query string with ``changes`` applied (for sort and page links)."""
    args = request.args.to_dict(flat=False)
    args.update({key: [str(value)] for key, value in changes.items()})
    return urlencode(args, doseq=True)


def _messages(errors: dict) -> str:
    return "; ".join(f"{field}: {' '.join(map(str, messages))}" for field, messages in errors.items())


@bp.route("/login", methods=["GET", "POST"])
@credential_limits()
def login():
    if request.method == "POST":
        user = accounts.authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if user is None:
            flash(_("E-mail or password is wrong."), "error")
            return render_template("web/login.html", email=request.form.get("email", "")), 422
        login_user(user)
        return redirect(local_url(request.args.get("next")) or url_for("web.home"))
    return render_template("web/login.html", email="")


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)  # copies of this session cookie stop working too
    logout_user()
    return redirect(url_for("web.home"))


@bp.route("/language/<code>", methods=["POST"])
def language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:  # remembered on the profile: notifications and mail follow the choice
        accounts.set_locale(current_identity(), code)
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("web.home"))

