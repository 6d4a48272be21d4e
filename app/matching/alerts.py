"""Saved searches and match alerts: people are told when a newly published listing is what they look for.

Publishing a listing writes an :class:`AlertOutbox` row in the same transaction (:class:`AlertOp`). Draining it
(in-process after the commit in the embedded default, by ``flask search worker`` in production) checks the new
listing against

* every saved search on its resource, run as the search's owner (so nobody is alerted about what they may not
  see), restricted to the new listing's id; and
* the counterpart listings it matches strongly (score ≥ ``MATCH_ALERT_THRESHOLD``): a new patent against the
  published demands, a new demand against the published patents. Each pair is stored as a :class:`Match`
  (source: the demand) and its owners are notified once (``notified_at``).
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from app.accounts.models import User
from app.core.errors import NotFound, ValidationFailed
from app.core.extensions import db
from app.core.identity import Identity
from app.core.messages import NOT_OFFERED
from app.core.models import utcnow
from app.core.outbox import drain_after_commit, drain_outbox
from app.core.search import search
from app.core.uow import Operation, unit_of_work
from app.discovery.schemas import search_args
from app.discovery.service import search_filters
from app.listings.models import ListingStatus
from app.listings.registry import listing_services
from app.matching.explain import sentences
from app.matching.models import AlertOutbox, Match, SavedSearch
from app.matching.policy import saved_search_policy
from app.matching.service import DEMAND_TO_PATENTS, PATENT_TO_DEMANDS, rank
from app.notifications.service import notify, recipients_of_org
from search.query import And, SearchRequest, Term

MAX_SAVED_SEARCHES = 50
MATCH_ALERT_CANDIDATES = 20


class AlertOp(Operation):
    """Queue the just-published ``obj`` for alerts; drain after the commit when the index drains in-process."""

    def __init__(self, resource: str, obj):
        self.resource, self.obj = resource, obj

    def on_register(self, uow) -> None:
        uow.session.flush()
        uow.session.add(AlertOutbox(resource=self.resource, object_id=self.obj.id))

    def on_commit(self, uow) -> None:
        if current_app.config["SEARCH_DRAIN_AFTER_COMMIT"]:
            drain_after_commit(current_app._get_current_object(), drain)


def queue_alerts(resource: str, obj, uow) -> None:
    uow.register(AlertOp(resource, obj))


# ------------------------------------------------------------------------------------------ saved searches

@unit_of_work
def save_search(identity: Identity, resource: str, name: str, params: dict, *, uow) -> SavedSearch:
    """Save a search (``params`` as the search API takes them: ``q`` and filters) under ``name``."""
    saved_search_policy.require("create", identity, message="log in to save a search")
    if resource not in listing_services():
        raise ValidationFailed({"resource": [NOT_OFFERED]})
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed({"name": ["give the search a name of 1 to 200 characters"]})
    try:
        loaded = search_args(resource)().load(params)
    except ValidationError as error:
        raise ValidationFailed(error.normalized_messages()) from None
    count = uow.session.scalar(select(db.func.count(SavedSearch.id)).where(SavedSearch.user_id == identity.user_id))
    if count >= MAX_SAVED_SEARCHES:
        raise ValidationFailed({"name": [f"at most {MAX_SAVED_SEARCHES} saved searches per user"]})
    filters = {key: value for key, value in loaded.items() if key not in ("q", "sort", "page", "per_page") and value}
    saved = SavedSearch(user_id=identity.user_id, resource=resource, name=name, query=loaded["q"], filters=filters)
    uow.session.add(saved)
    uow.session.flush()
    return saved


def saved_searches(identity: Identity) -> list[SavedSearch]:
    """The identity's saved searches, newest first."""
    saved_search_policy.require("list", identity, message="log in to see saved searches")
    return list(db.session.scalars(select(SavedSearch).where(saved_search_policy.sql_filter("read", identity, SavedSearch))
                                   .order_by(SavedSearch.id.desc())))


@unit_of_work
def delete_saved_search(identity: Identity, saved_id: int, *, uow) -> None:
    """Delete one of the identity's saved searches (others' are unknown: 404)."""
    saved = uow.session.get(SavedSearch, saved_id)
    if saved is None or not saved_search_policy.allows("delete", identity, saved):
        raise NotFound(f"no saved search {saved_id}")
    uow.session.delete(saved)


# ------------------------------------------------------------------------------------------------ alerts

def drain(batch_size: int = 1) -> int:
    """Check pending newly published listings against saved searches and strong matches.

    One listing per transaction: ranking one takes a while, and on SQLite a writing transaction holds the
    database's only write lock for as long as it lasts."""

    def apply(rows, uow) -> None:
        for row in rows:
            evaluate(row.resource, row.object_id, uow=uow)

    return drain_outbox(AlertOutbox, apply, batch_size)


def evaluate(resource: str, object_id: int, *, uow) -> None:
    """Alert everyone the published listing ``object_id`` concerns (nothing if it is no longer published)."""
    service = listing_services()[resource]
    obj = uow.session.get(service.model, object_id)
    if obj is None or obj.status != ListingStatus.approved:
        return
    _alert_saved_searches(service, obj, uow)
    if resource == "patents":
        _alert_matches(PATENT_TO_DEMANDS, obj, uow)
    elif resource == "demands":
        _alert_matches(DEMAND_TO_PATENTS, obj, uow)


def _alert_saved_searches(service, obj, uow) -> None:
    resource = service.resource
    for saved in uow.session.scalars(select(SavedSearch).where(SavedSearch.resource == resource)):
        user = uow.session.get(User, saved.user_id)
        identity = Identity.of(user)
        if not user.active or not service.policy.allows("read", identity, obj):
            continue
        params = {**saved.filters, "q": saved.query}
        filters = And(search_filters(identity, resource, params), Term("id", [obj.id]))
        found = search.engine.search(SearchRequest(resource=resource, text=saved.query, filters=filters, per_page=1))
        if found.total:
            with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                title = _("New listing for your saved search “%(name)s”: %(title)s", name=saved.name, title=obj.title)
            notify([user], "saved_search.hit", title, obj.title, _page(resource, obj.id), uow=uow)


def _alert_matches(direction, obj, uow) -> None:
    """Store the strong matches of ``obj`` among published counterparts and tell their owners, once per pair."""
    threshold = current_app.config["MATCH_ALERT_THRESHOLD"]
    for result in rank(Identity.system(), direction, obj, limit=MATCH_ALERT_CANDIDATES):
        other = result.obj
        if result.score < threshold:
            break
        if not _published(other):  # the system identity also ranks drafts and expired demands
            continue
        demand, patent = (other, obj) if direction is PATENT_TO_DEMANDS else (obj, other)
        match = _stored_match(demand, patent, result, uow)
        if match.notified_at is None:
            match.notified_at = utcnow()
            for user in recipients_of_org(other.org_id):
                with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                    title = _("A new listing matches your “%(title)s” (score %(score)s%%): %(new)s",
                              title=other.title, score=round(result.score * 100), new=obj.title)
                    body = "；".join(f"{line['label']}: {line['text']}" for line in sentences(result.explanation)[:3])
                notify([user], "match.new", title, body, _page(direction.source_service.resource, obj.id), uow=uow)


def _stored_match(demand, patent, result, uow) -> Match:
    key = {"source_resource": "demands", "source_id": demand.id, "target_resource": "patents", "target_id": patent.id}
    match = uow.session.scalar(select(Match).filter_by(**key))
    if match is None:
        match = Match(**key, score=result.score, explanation=result.explanation)
        uow.session.add(match)
    else:
        match.score, match.explanation, match.computed_at = result.score, result.explanation, utcnow()
    return match


def _published(obj) -> bool:
    return obj.status == ListingStatus.approved and not (hasattr(obj, "is_expired") and obj.is_expired(date.today()))


def _page(resource: str, listing_id: int) -> str:
    """The listing's page (``web.listing_page``) as a path: workers run outside any request, without SERVER_NAME."""
    return f"/{resource}/{listing_id}"
