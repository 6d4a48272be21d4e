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

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from app.accounts.models import User
from app.core.errors import NotFound, ValidationFailed
from app.core.extensions import db
from app.core.formatting import local_today
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
# A newly published listing of these kinds is matched against its counterparts, whose owners are told.
DIRECTIONS_OF_ALERTS = {"patents": PATENT_TO_DEMANDS, "demands": DEMAND_TO_PATENTS}


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

def drain(batch_size: int = 20) -> int:
    """Check pending newly published listings against saved searches and strong matches.

    The searching and ranking happen before the writing transaction (``prepare``): on SQLite a writing
    transaction holds the database's only write lock, and ranking a listing takes a while."""
    assessed: dict[tuple[str, int], Assessment] = {}

    def prepare(pending) -> None:
        for resource, object_id in pending:
            assessed[(resource, object_id)] = assess(resource, object_id)

    def apply(rows, uow) -> None:  # every row claimed was prepared (drain_outbox claims only those)
        for row in rows:
            record(assessed[(row.resource, row.object_id)], uow=uow)

    return drain_outbox(AlertOutbox, apply, batch_size, prepare=prepare)


@dataclass
class Assessment:
    """Whom a newly published listing concerns, found by reading only: saved searches it hits (their ids) and its
    strong matches (counterpart id, score, explanation)."""

    resource: str
    object_id: int
    saved_searches: list[int] = field(default_factory=list)
    matches: list[tuple[int, float, dict]] = field(default_factory=list)


def evaluate(resource: str, object_id: int, *, uow) -> None:
    """Alert everyone the published listing ``object_id`` concerns (nothing if it is no longer published)."""
    record(assess(resource, object_id), uow=uow)


def assess(resource: str, object_id: int) -> Assessment:
    """Find whom the published listing ``object_id`` concerns (nobody if it is no longer published)."""
    found = Assessment(resource, object_id)
    service = listing_services()[resource]
    obj = db.session.get(service.model, object_id)
    if obj is None or obj.status != ListingStatus.approved:
        return found
    found.saved_searches = _saved_searches_hit(service, obj)
    direction = DIRECTIONS_OF_ALERTS.get(resource)
    if direction is not None:
        threshold = current_app.config["MATCH_ALERT_THRESHOLD"]
        for result in rank(Identity.system(), direction, obj, limit=MATCH_ALERT_CANDIDATES):
            if result.score < threshold:
                break
            if _published(result.obj):  # the system identity also ranks drafts and expired demands
                found.matches.append((result.obj.id, result.score, result.explanation))
    return found


def record(found: Assessment, *, uow) -> None:
    """Tell the owners of the saved searches and of the strong matches ``found``; store the matches, once per pair."""
    service = listing_services()[found.resource]
    obj = uow.session.get(service.model, found.object_id)
    if obj is None or obj.status != ListingStatus.approved:
        return
    for saved_id in found.saved_searches:
        saved = uow.session.get(SavedSearch, saved_id)
        if saved is None:
            continue
        user = uow.session.get(User, saved.user_id)
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            title = _("New listing for your saved search “%(name)s”: %(title)s", name=saved.name, title=obj.title)
        notify([user], "saved_search.hit", title, obj.title, _page(found.resource, obj.id), uow=uow)
    direction = DIRECTIONS_OF_ALERTS.get(found.resource)
    for other_id, score, explanation in found.matches:
        other = uow.session.get(direction.target_service.model, other_id)
        if other is None or not _published(other):
            continue
        demand, patent = (other, obj) if direction is PATENT_TO_DEMANDS else (obj, other)
        match = _stored_match(demand, patent, score, explanation, uow)
        if match.notified_at is None:
            match.notified_at = utcnow()
            for user in recipients_of_org(other.org_id):
                with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                    title = _("A new listing matches your “%(title)s” (score %(score)s%%): %(new)s",
                              title=other.title, score=round(score * 100), new=obj.title)
                    body = "；".join(f"{line['label']}: {line['text']}" for line in sentences(explanation)[:3])
                notify([user], "match.new", title, body, _page(direction.source_service.resource, obj.id), uow=uow)


def _saved_searches_hit(service, obj) -> list[int]:
    """Ids of the saved searches of active users allowed to see ``obj`` that find it."""
    resource, hits = service.resource, []
    for saved, user in db.session.execute(select(SavedSearch, User).join(User, User.id == SavedSearch.user_id)
                                          .where(SavedSearch.resource == resource, User.active)):
        identity = Identity.of(user)
        if not service.policy.allows("read", identity, obj):
            continue
        params = {**saved.filters, "q": saved.query}
        filters = And(search_filters(identity, resource, params), Term("id", [obj.id]))
        found = search.engine.search(SearchRequest(resource=resource, text=saved.query, filters=filters, per_page=1))
        if found.total:
            hits.append(saved.id)
    return hits


def _stored_match(demand, patent, score: float, explanation: dict, uow) -> Match:
    key = {"source_resource": "demands", "source_id": demand.id, "target_resource": "patents", "target_id": patent.id}
    match = uow.session.scalar(select(Match).filter_by(**key))
    if match is None:
        match = Match(**key, score=score, explanation=explanation)
        uow.session.add(match)
    else:
        match.score, match.explanation, match.computed_at = score, explanation, utcnow()
    return match


def _published(obj) -> bool:
    return obj.status == ListingStatus.approved and not (hasattr(obj, "is_expired") and obj.is_expired(local_today()))


def _page(resource: str, listing_id: int) -> str:
    """The listing's page (``web.listing_page``) as a path: workers run outside any request, without SERVER_NAME."""
    return f"/{resource}/{listing_id}"
