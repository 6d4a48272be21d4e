"""The authorisation matrix generated from the policies: every route of the application (API endpoints and
pages, read from ``app.url_map``) × every role × objects of one organisation (the *owner*).

Roles: anonymous, a member and an admin of an unrelated organisation of each kind, a member and an admin of the
owner, and a platform admin. :data:`RULES` classifies every route and method: who may call it is *read from
the domain's policy* (``policy.allows(action, identity, obj)``) on the owner's object the route's path names.
A route missing from :data:`RULES` fails the test, so a new route must be classified.

For every cell: a role the policy refuses never gets a 2xx and leaves the number of rows of every table as it was; and no
role ever receives a secret it may not read (a draft's title, confidential patent data, a deal's thread, a sealed
proposal's text, file, thread or link), in any response. Each request runs inside a savepoint rolled back
afterwards, so every role meets the same world.

Sealed proposals: the owner proposes to two published calls of one enterprise, one whose deadline is ahead
(``sealed``) and one whose deadline passed (``opened``); another institute proposes to both. Every route of calls
and proposals is checked on both (:data:`VARIANTS`), with the proposal actions the enterprise and the proposer
run, and two more roles: the call's enterprise and the other proposer. The proposal policy says who reads: the
proposer and the platform always, the enterprise only after the deadline, nobody else ever.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import url_for
from flask_login.utils import _create_identifier
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.accounts import service as accounts
from app.accounts.models import ApiToken, Role, User
from app.accounts.policy import token_policy
from app.analytics.policy import analytics_policy
from app.calls.models import Proposal
from app.calls.policy import proposal_policy
from app.calls.service import calls_service, proposals_service
from app.core.extensions import db
from app.core.identity import Identity
from app.core.permissions import Authenticated, Generator, PlatformAdmin, Policy
from app.deals.policy import deal_policy
from app.deals.service import deals_service
from app.listings.registry import listing_services
from app.matching import alerts
from app.matching.policy import saved_search_policy
from app.moderation.policy import moderation_policy
from app.orgs.models import Organisation, OrgKind
from app.orgs.policy import org_policy
from app.patents import attachments
from app.payments import service as payments
from app.payments.models import Payout
from app.payments.policy import payment_policy
from app.portfolio.policy import Portfolio, portfolio_policy
from app.service_orders.policy import service_order_policy
from app.service_orders.service import service_orders_service
from tests.api.conftest import DATA, pdf_bytes
from tests.calls.conftest import call_input, pass_deadline, proposal_input
from tests.deals.conftest import build_market, drive, open_deal, pdf_upload
from tests.factories import OrganisationFactory, UserFactory, make_listing

pytestmark = pytest.mark.usefixtures("no_index_drain")

DRAFT_TITLE = "草稿：矩阵里的未公开{resource}"
SECRET_DETAILS = "矩阵保密工艺参数"
SECRET_FILE = "矩阵保密附件.pdf"
THREAD_SECRET = "矩阵：只给双方看的报价底线"
OTHER_KINDS = [kind for kind in OrgKind if kind != OrgKind.platform]
ROLES = (["anonymous"] + [f"{kind.value}_{role}" for kind in OTHER_KINDS for role in ("member", "admin")]
         + ["owner_member", "owner_admin", "call_enterprise", "other_proposer", "platform_admin"])
# The proposals' secrets: each proposal's approach (by proposer and call), the owner's PDFs, a question in the
# thread of the opened proposal.
APPROACH = "矩阵{who}{variant}方案：熔盐辅助烧结的工艺路线"
PROPOSAL_FILE = "矩阵{variant}方案附件.pdf"
PROPOSAL_THREAD = "矩阵：开标后企业的提问"
# Routes of calls and proposals run once per call (deadline ahead or passed) and, where they take an action, once
# per proposal action (the enterprise's evaluation, the proposer's withdrawal).
VARIANTS = ("sealed", "opened")
PROPOSAL_ACTIONS = ("shortlist", "withdraw")
PROPOSAL_ACTION_ROUTES = {"calls_api.ProposalsAction", "call_proposals.run_action", "calls.evaluate"}
# Searches run for the word every secret carries, so a secret that reached an index or a list would come back.
SEARCHES = {"web.search_page", "search_api.Suggest", "calls_api.Calls", "calls.index", "sales_api.AuctionsCollection",
            *(f"search_api.search_{resource}" for resource in ("patents", "demands", "services"))}


class Anyone(Generator):
    """Everybody, anonymous visitors included (public pages, the login and registration forms, search)."""

    def allows(self, identity, obj=None) -> bool:
        return True


class RoutePolicy(Policy):
    """What public and logged-in-only routes require; every other route asks its domain's policy."""

    can_visit = [Anyone()]
    can_use = [Authenticated()]
    can_administer = [PlatformAdmin()]


ROUTES = RoutePolicy()


@dataclass(frozen=True)
class Rule:
    """``policy.allows(action, identity, obj)`` decides; ``obj`` names an object of the world (None: none,
    ``own_org``: the caller's organisation, ``portfolio``: the owner's patents as a whole)."""

    policy: Policy
    action: str
    obj: str | None = None


PUBLIC = Rule(ROUTES, "visit")
LOGGED_IN = Rule(ROUTES, "use")
ADMIN = Rule(ROUTES, "administer")


def listing(action: str, obj: str = "draft") -> Rule:
    """A listing policy's rule; the route's resource picks the policy (see :func:`_rule`)."""
    return Rule(None, action, obj)


REVIEW = Rule(moderation_policy, "review")
DEAL = Rule(deal_policy, "read", "deal")
ORDER = Rule(service_order_policy, "read", "order")
PAYOUT_DESK = Rule(payment_policy, "manage_payouts")
PROPOSAL = Rule(proposal_policy, "read", "proposal")  # the route's proposal (sealed or opened)

# (endpoint, method) → rule; "*" stands for every method of the endpoint.
RULES = {
    # public pages and endpoints
    ("static", "*"): PUBLIC, ("web.home", "*"): PUBLIC, ("web.search_page", "*"): PUBLIC,
    ("web.login", "*"): PUBLIC, ("web.logout", "*"): PUBLIC, ("web.language", "*"): PUBLIC,
    ("accounts.register", "*"): PUBLIC, ("accounts.forgot_password", "*"): PUBLIC,
    ("accounts.reset_password", "*"): PUBLIC, ("members.invitation", "*"): PUBLIC, ("web.org_page", "*"): PUBLIC,
    ("api-docs.openapi_json", "*"): PUBLIC, ("api-docs.openapi_swagger_ui", "*"): PUBLIC,
    ("accounts_api.Register", "*"): PUBLIC, ("accounts_api.Tokens", "*"): PUBLIC,
    ("orgs_api.Organisation", "*"): PUBLIC, ("payments_api.Webhook", "*"): PUBLIC,
    ("search_api.Suggest", "*"): PUBLIC,
    **{(f"search_api.search_{resource}{suffix}", "*"): PUBLIC for resource in ("patents", "demands", "services")
       for suffix in ("", "_post")},
    # listings (the resource's policy), on the owner's draft
    ("web.listing_page", "*"): listing("read"), ("search_api.Similar", "*"): listing("read"),
    **{(f"{resource}_api.{name}Collection", "GET"): PUBLIC for resource, name in
       (("patents", "Patents"), ("demands", "Demands"), ("services", "Services"))},
    **{(f"{resource}_api.{name}Collection", "POST"): listing("create", None) for resource, name in
       (("patents", "Patents"), ("demands", "Demands"), ("services", "Services"))},
    **{(f"{resource}_api.{name}{suffix}", method): listing(action) for resource, name in
       (("patents", "Patents"), ("demands", "Demands"), ("services", "Services"))
       for suffix, method, action in (("Item", "GET", "read"), ("Item", "PATCH", "update"), ("Item", "DELETE", "delete"),
                                      ("Submit", "POST", "submit"), ("Withdraw", "POST", "withdraw"))},
    ("patents_api.PatentAttachments", "GET"): listing("read"),
    ("patents_api.PatentAttachments", "POST"): listing("update"),
    ("patents_api.Attachment", "DELETE"): listing("update", "published"),
    ("patents_api.AttachmentDownload", "GET"): listing("read_confidential", "published"),
    ("matching_api.patent_matches", "*"): listing("read"), ("matching_api.demand_matches", "*"): listing("read"),
    ("matching_api.demand_service_matches", "*"): listing("read"),
    ("manage.my_listings", "*"): LOGGED_IN, ("manage.new_listing", "*"): listing("create", None),
    ("manage.edit_listing", "GET"): listing("update"), ("manage.edit_listing", "POST"): listing("update"),
    ("manage.transition", "*"): listing("submit"),
    ("manage.upload_attachment", "*"): listing("update", "published"),
    ("manage.delete_attachment", "*"): listing("update", "published"),
    ("portfolio.import_page", "GET"): LOGGED_IN,
    ("portfolio.import_page", "POST"): Rule(portfolio_policy, "transfer", "own_portfolio"),
    ("portfolio_api.export_file", "*"): Rule(portfolio_policy, "transfer", "portfolio"),
    ("portfolio_api.import_file", "*"): Rule(portfolio_policy, "transfer", "portfolio"),
    # moderation, analytics, organisations and members
    ("moderation.queue", "*"): REVIEW, ("moderation.review", "*"): REVIEW,
    ("moderation_api.Queue", "*"): REVIEW, ("moderation_api.Bulk", "*"): REVIEW,
    ("moderation.audit", "*"): Rule(moderation_policy, "read_audit"),
    ("moderation_api.Audit", "*"): Rule(moderation_policy, "read_audit"),
    ("analytics.dashboard", "*"): Rule(analytics_policy, "read_market"),
    ("analytics.dashboard_csv", "*"): Rule(analytics_policy, "read_market"),
    ("analytics.reports", "*"): Rule(analytics_policy, "export_review"),
    ("analytics.report_file", "*"): Rule(analytics_policy, "export_review"),
    ("analytics.set_incubation", "*"): Rule(analytics_policy, "set_incubation"),
    ("analytics.my_dashboard", "*"): LOGGED_IN,
    ("analytics.org_dashboard", "*"): LOGGED_IN, ("analytics.org_dashboard_csv", "*"): LOGGED_IN,
    # Calls for solutions, public sales and payment schedules: who may act on which subject is their workflows'
    # party rules, checked cell by cell (status × action × actor) by tests/calls, tests/sales and
    # tests/schedules; here the matrix checks that the published lists and pages are public, the admin desks
    # are for platform admins, and nothing else answers an anonymous caller.
    **{(endpoint, "GET"): PUBLIC for endpoint in (
        "calls_api.Calls", "calls_api.CallItem", "calls.index", "calls.item", "sales_api.AuctionsCollection",
        "sales_api.AuctionsItem", "sales_api.AuctionsLive", "sales_api.OpenLicencesCollection",
        "sales_api.OpenLicencesItem", "sales_api.OpenLicencesLive", "sales.index", "sales.item",
        "sales.open_licences", "sales.licence")},
    # One proposal: sealed from everyone its policy does not name (reading, acting, its PDFs and thread, the
    # evaluation board's actions, the revision form).
    **{(endpoint, "*"): PROPOSAL for endpoint in (
        "calls_api.ProposalsItem", "calls_api.ProposalsAction", "calls_api.ProposalsDocument",
        "calls_api.ProposalMessages", "call_proposals.item", "call_proposals.run_action", "call_proposals.document",
        "call_proposals.post_message", "calls.evaluate", "calls.propose")},
    ("sales_api.Objections", "*"): ADMIN, ("sales.objections", "*"): ADMIN, ("schedules.desk", "*"): ADMIN,
    **{(endpoint, "*"): LOGGED_IN for endpoint in (
        "calls_api.Calls", "calls_api.CallAction", "calls_api.CallNdaResource", "calls_api.CallProposals",
        "calls_api.ProposalsCollection", "calls.run_action", "calls.board", "calls.edit", "calls.accept_nda",
        "calls.new", "call_proposals.index",
        "sales_api.AuctionsCollection", "sales_api.AuctionsAction", "sales_api.OpenLicencesCollection",
        "sales_api.OpenLicencesAction", "sales.run_action", "sales.new", "schedules_api.DealSchedule",
        "schedules_api.Rules", "schedules_api.Statements", "schedules_api.StatementsCsv", "schedules_api.StatementsXlsx",
        "schedules_api.ScheduleItemsCollection", "schedules_api.ScheduleItemsItem",
        "schedules_api.ScheduleItemsAction", "schedules_api.ScheduleItemsDocument", "distribution.index",
        "distribution.statements_export", "schedules.index", "schedules.item", "schedules.run_action",
        "schedules.document")},
    ("orgs.queue", "*"): Rule(org_policy, "list"), ("orgs_api.VerificationQueue", "*"): Rule(org_policy, "list"),
    ("orgs.decide", "*"): Rule(org_policy, "verify"), ("orgs_api.VerificationDecision", "*"): Rule(org_policy, "verify"),
    ("orgs_api.VerificationRequest", "*"): Rule(org_policy, "request_verification", "owner_org"),
    ("accounts.account", "GET"): LOGGED_IN,
    ("accounts.account", "POST"): Rule(org_policy, "request_verification", "own_org"),
    ("members_api.Members", "GET"): Rule(org_policy, "read_members", "owner_org"),
    ("members_api.Members", "POST"): Rule(org_policy, "manage_members", "owner_org"),
    ("members_api.Member", "*"): Rule(org_policy, "manage_members", "owner_org"),
    ("members.members", "GET"): LOGGED_IN,
    ("members.members", "POST"): Rule(org_policy, "manage_members", "own_org"),
    ("members.remove", "*"): Rule(org_policy, "manage_members", "owner_org"),
    ("members.change_role", "*"): Rule(org_policy, "manage_members", "owner_org"),
    # the person's own records
    ("accounts_api.Me", "*"): LOGGED_IN, ("accounts.change_password", "*"): LOGGED_IN,
    ("accounts.tokens", "*"): Rule(token_policy, "list"),
    ("accounts.revoke_token", "*"): Rule(token_policy, "revoke", "token"),
    ("accounts_api.Token", "*"): Rule(token_policy, "revoke", "token"),
    ("notifications_api.Inbox", "*"): LOGGED_IN, ("notifications_api.MarkRead", "*"): LOGGED_IN,
    ("web.notifications_page", "*"): LOGGED_IN,
    ("matching_api.SavedSearches", "*"): Rule(saved_search_policy, "create"),
    ("web.save_search", "*"): Rule(saved_search_policy, "create"),
    ("matching_api.SavedSearch", "*"): Rule(saved_search_policy, "delete", "saved"),
    ("web.delete_saved_search", "*"): Rule(saved_search_policy, "delete", "saved"),
    # deals and service orders: the workflow's parties
    ("deals.index", "*"): LOGGED_IN, ("deals_api.DealsCollection", "GET"): LOGGED_IN,
    ("deals.new", "GET"): LOGGED_IN, ("deals.new", "POST"): Rule(deal_policy, "open"), ("deals_api.DealsCollection", "POST"): Rule(deal_policy, "open"),
    ("deals.item", "*"): DEAL, ("deals.run_action", "*"): DEAL, ("deals.document", "*"): DEAL,
    ("deals_api.DealsItem", "*"): DEAL, ("deals_api.DealsAction", "*"): DEAL, ("deals_api.ContractPdf", "*"): DEAL,
    ("deals_api.DealsDocument", "*"): DEAL, ("deals_api.Offers", "*"): DEAL, ("deals_api.Patents", "*"): DEAL,
    ("deals_api.RegistrationCsv", "*"): DEAL, ("deals_api.RegistrationJson", "*"): DEAL,
    ("deals_api.Messages", "*"): Rule(deal_policy, "read_thread", "deal"),
    ("deals.post_message", "*"): Rule(deal_policy, "read_thread", "deal"),
    ("deals_api.PatentAttachment", "*"): Rule(deal_policy, "read_confidential", "deal"),
    ("deals.desk", "*"): Rule(deal_policy, "use_desk"),
    ("service_orders.index", "*"): LOGGED_IN, ("service_orders_api.ServiceOrdersCollection", "GET"): LOGGED_IN,
    ("service_orders.new", "GET"): LOGGED_IN, ("service_orders.new", "POST"): Rule(service_order_policy, "open"),
    ("service_orders_api.ServiceOrdersCollection", "POST"): Rule(service_order_policy, "open"),
    ("service_orders.item", "*"): ORDER, ("service_orders.run_action", "*"): ORDER,
    ("service_orders.document", "*"): ORDER, ("service_orders_api.ServiceOrdersItem", "*"): ORDER,
    ("service_orders_api.ServiceOrdersAction", "*"): ORDER, ("service_orders_api.ServiceOrdersDocument", "*"): ORDER,
    # payments
    ("payments_api.PaymentItem", "*"): Rule(payment_policy, "read", "payment"),
    ("payments_api.PaymentSync", "*"): Rule(payment_policy, "sync", "payment"),
    ("payments.stripe_return", "*"): Rule(payment_policy, "sync", "payment"),
    ("payments_api.PaymentTestConfirm", "*"): Rule(payment_policy, "pay", "payment"),
    ("payments.pay", "GET"): Rule(payment_policy, "read", "payment"),
    ("payments.pay", "POST"): Rule(payment_policy, "pay", "payment"),
    ("payments_api.Balances", "*"): Rule(payment_policy, "read_balances", "owner_org_id"),
    ("payments_api.ConnectedAccount", "*"): PAYOUT_DESK, ("payments_api.Payouts", "*"): PAYOUT_DESK,
    ("payments_api.PayoutRecord", "*"): PAYOUT_DESK, ("payments.payouts", "*"): PAYOUT_DESK,
}


def _routes(app) -> list[tuple[str, str, str]]:
    """Every (endpoint, method, rule) of the application."""
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, rule.rule))
    return sorted(out, key=lambda r: (r[2], r[1]))


def _rule(endpoint: str, method: str) -> Rule | None:
    return RULES.get((endpoint, method)) or RULES.get((endpoint, "*"))


def test_every_route_is_classified(app):
    missing = [(endpoint, method, path) for endpoint, method, path in _routes(app) if _rule(endpoint, method) is None]
    assert not missing, f"classify these routes in RULES: {missing}"


# ------------------------------------------------------------------------------------------------ the world

@dataclass
class World:
    users: dict  # role → user id (None: anonymous)
    objects: dict  # name → object id
    secrets: list  # (text, rule deciding who may read it)


def _resource_of(endpoint: str, values: dict) -> str:
    for resource in listing_services():
        if endpoint.startswith(f"{resource}_api.") or values.get("resource") == resource:
            return resource
    if "demand" in endpoint:
        return "demands"
    return "patents"


def build_world(db_session) -> World:
    """The owner (a university, seller of a completed deal, buyer of a service order) with drafts, a published
    patent with confidential data, a deal's thread, a payment, a payout, a token, a saved search; unrelated
    organisations of every kind with a member and an admin each; a platform admin."""
    market = build_market()
    owner_org, owner_admin = market.seller_org, market.seller
    owner_member = UserFactory(organisation=owner_org, role=Role.member)
    users = {"anonymous": None, "owner_member": owner_member.id, "owner_admin": owner_admin.id,
             "platform_admin": market.admin.id}
    for kind in OTHER_KINDS:
        org = OrganisationFactory(kind=kind, name=f"无关的{kind.value}")
        users[f"{kind.value}_member"] = UserFactory(organisation=org, role=Role.member).id
        users[f"{kind.value}_admin"] = UserFactory(organisation=org, role=Role.org_admin).id
    owner = Identity.of(owner_admin)
    objects = {"owner_org": owner_org.id}
    for resource in listing_services():
        objects[f"draft:{resource}"] = make_listing(resource, owner_org, status="draft",
                                                    title=DRAFT_TITLE.format(resource=resource)).id
        objects[f"published:{resource}"] = make_listing(resource, owner_org).id
    patent = make_listing("patents", owner_org, confidential_details=SECRET_DETAILS)  # the deal's patent
    objects["published:patents"] = patent.id
    upload = FileStorage(io.BytesIO(pdf_bytes()), SECRET_FILE, content_type="application/pdf")
    objects["secret_attachment"] = attachments.add(owner, patent.id, upload, True).id
    objects["pending"] = make_listing("patents", owner_org, status="pending").id

    deal = open_deal(market, patent)
    message = deals_service.post_message(owner, deal.id, THREAD_SECRET, [pdf_upload()])
    drive(market, "completed", deal=deal)
    objects["deal"] = deal.id
    objects["deal_document"] = db_session.scalar(
        select(deals_service.document_model.id).where(deals_service.document_model.message_id == message.id))
    payment = payments.payment_of(deal)
    objects["payment"] = payment.id
    objects["payout"] = db_session.scalar(select(Payout.id).where(Payout.payment_id == payment.id))
    order = service_orders_service.create(owner, {"offer_id": market.pilot_offer.id, "request_text": "矩阵中试需求"})
    objects["order"] = order.id
    objects["order_document"] = 0  # none exists: everybody gets a refusal or 404
    accounts.create_token(owner_member, "matrix")
    objects["token"] = db_session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner_member.id))
    objects["saved"] = alerts.save_search(Identity.of(owner_member), "patents", "矩阵检索", {"q": "电池"}).id
    db_session.commit()
    secrets = [(DRAFT_TITLE.format(resource=r), Rule(None, "read", f"draft:{r}")) for r in listing_services()]
    secrets += [(SECRET_DETAILS, Rule(None, "read_confidential", "published:patents")),
                (SECRET_FILE, Rule(None, "read_confidential", "published:patents")),
                (THREAD_SECRET, Rule(deal_policy, "read_thread", "deal"))]
    secrets += _proposals(market, owner, users, objects)
    return World(users, objects, secrets)


def _proposals(market, owner: Identity, users: dict, objects: dict) -> list:
    """Two published calls of an enterprise (``call_enterprise``), one past its deadline; the owner and another
    institute (``other_proposer``) propose to both, the owner with a PDF; the other institute withdraws its sealed
    proposal; the enterprise asks a question on the owner's opened proposal (the owner is told). Returns the
    proposals' secrets."""
    enterprise = UserFactory(organisation=OrganisationFactory(kind=OrgKind.enterprise, name="矩阵揭榜企业"),
                             role=Role.org_admin)
    rival = UserFactory(organisation=OrganisationFactory(kind=OrgKind.institute, name="矩阵对手研究所"),
                        role=Role.org_admin)
    users |= {"call_enterprise": enterprise.id, "other_proposer": rival.id}
    secrets = []
    for variant in VARIANTS:
        call = calls_service.create(Identity.of(enterprise), call_input(title=f"矩阵揭榜：{variant}"))
        calls_service.execute_action(Identity.of(market.admin), call.id, "approve")
        upload = FileStorage(io.BytesIO(pdf_bytes()), PROPOSAL_FILE.format(variant=variant),
                             content_type="application/pdf")
        mine = proposals_service.create(owner, proposal_input(
            call.id, approach=APPROACH.format(who="本方", variant=variant), attachment=upload))
        theirs = proposals_service.create(Identity.of(rival), proposal_input(
            call.id, approach=APPROACH.format(who="对手", variant=variant)))
        objects |= {f"call:{variant}": call.id, f"proposal:{variant}": mine.id,
                    f"proposal_document:{variant}": mine.documents[0].id}
        readers = Rule(proposal_policy, "read", f"proposal:{variant}")
        secrets += [(APPROACH.format(who="本方", variant=variant), readers),
                    (PROPOSAL_FILE.format(variant=variant), readers),
                    (f'/calls/proposals/{mine.id}"', readers),  # a link to it (a notification, a list) tells it exists
                    (APPROACH.format(who="对手", variant=variant),
                     Rule(proposal_policy, "read", f"proposal:{variant}:rival")),
                    (f'/calls/proposals/{theirs.id}"', Rule(proposal_policy, "read", f"proposal:{variant}:rival"))]
        objects[f"proposal:{variant}:rival"] = theirs.id
        if variant == "sealed":  # a closed proposal tells both sides; the enterprise only after the deadline
            proposals_service.execute_action(Identity.of(rival), theirs.id, "withdraw", {"reason": "矩阵：团队调整"})
        if variant == "opened":
            pass_deadline(call)
            proposals_service.post_message(Identity.of(enterprise), mine.id, {"body": PROPOSAL_THREAD})
            secrets.append((PROPOSAL_THREAD, readers))
    return secrets


# What each path parameter names: (endpoint prefix or None for any) → object name.
PARAMS = {
    "obj_id": lambda endpoint: "order" if endpoint.startswith("service_orders") else "deal",
    "document_id": lambda endpoint: "order_document" if endpoint.startswith("service_orders") else "deal_document",
    "attachment_id": lambda endpoint: "secret_attachment",
    "payment_id": lambda endpoint: "payment", "payout_id": lambda endpoint: "payout",
    "org_id": lambda endpoint: "owner_org", "user_id": lambda endpoint: "owner_member",
    "token_id": lambda endpoint: "token", "saved_id": lambda endpoint: "saved",
}


def _variants(endpoint: str, rule_path: str) -> list[tuple[str | None, str | None]]:
    """``(variant, action)`` pairs a route is checked with: routes of one call or proposal once per call (sealed,
    opened) and, on a proposal, per proposal action; every other route once."""
    if not endpoint.startswith(("calls", "call_proposals")) or not re.search(r":(call_id|obj_id)>", rule_path):
        return [(None, None)]
    actions = PROPOSAL_ACTIONS if endpoint in PROPOSAL_ACTION_ROUTES else (None,)
    return [(variant, action) for variant in VARIANTS for action in actions]


def _path_values(endpoint: str, rule_path: str, world: World, variant: str | None = None,
                 action: str | None = None) -> dict:
    values = {}
    if variant is not None:
        objects = world.objects
        named = {"call_id": objects[f"call:{variant}"], "obj_id": objects[f"proposal:{variant}"],
                 "proposal_id": objects[f"proposal:{variant}"], "document_id": objects[f"proposal_document:{variant}"],
                 "action": action}
        values |= {name: value for name, value in named.items() if value is not None and f":{name}>" in rule_path}
        if endpoint == "calls.propose":  # the revision form of the proposal (a query parameter)
            values["proposal_id"] = named["proposal_id"]
    if endpoint in SEARCHES:
        values["q"] = "矩阵"
    if "<resource>" in rule_path or ":resource>" in rule_path:
        values["resource"] = "patents"
    resource = _resource_of(endpoint, values)
    for name, pick in PARAMS.items():
        if f":{name}>" in rule_path and name not in values:
            key = pick(endpoint)
            values[name] = world.users["owner_member"] if key == "owner_member" else world.objects[key]
    for name in ("listing_id", "patent_id", "demand_id"):
        if f":{name}>" in rule_path:
            if endpoint == "moderation.review":
                values[name] = world.objects["pending"]
            elif endpoint in ("manage.upload_attachment", "manage.delete_attachment", "patents_api.Attachment"):
                values[name] = world.objects["published:patents"]
            else:
                values[name] = world.objects[f"draft:{'demands' if name == 'demand_id' else resource}"]
    if "<action>" in rule_path:
        values.setdefault("action", "cancel")
    if ":action>" in rule_path:
        values.setdefault("action", "submit")
    for name, value in (("token", "no-such-token"), ("code", "en"), ("filename", "layout.css")):
        if f"<{name}>" in rule_path or f":{name}>" in rule_path:
            values[name] = value
    # Parameters of routes whose objects this world does not build (the merged domains' subjects): an id that
    # names nothing, or a plain word; what the route answers is still checked against the policy.
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule_path):
        values.setdefault(name, 999_999 if converter == "int" else "x")
    return values


def _object(rule: Rule, endpoint: str, values: dict, world: World, identity: Identity, variant: str | None = None):
    """The object ``rule`` names (``proposal``: the variant's), loaded fresh."""
    name = f"proposal:{variant}" if rule.obj == "proposal" else rule.obj
    if name is None:
        return None
    if name.startswith("proposal:"):
        return db.session.get(Proposal, world.objects[name])
    if name == "own_org":
        return db.session.get(Organisation, identity.org_id) if identity.org_id else Organisation()
    if name == "owner_org":
        return db.session.get(Organisation, world.objects["owner_org"])
    if name == "owner_org_id":
        return world.objects["owner_org"]
    if name == "portfolio":
        return Portfolio(world.objects["owner_org"], "patents")
    if name == "own_portfolio":
        return Portfolio(identity.org_id, "patents")
    models = {"deal": deals_service.model, "order": service_orders_service.model, "token": ApiToken,
              "saved": alerts.SavedSearch, "payment": payments.Payment}
    if name in models:
        return db.session.get(models[name], world.objects[name])
    resource = name.split(":")[1] if ":" in name else _resource_of(endpoint, values)
    key = name if ":" in name else f"{name}:{resource}"
    return db.session.get(listing_services()[resource].model, world.objects[key])


def _policy(rule: Rule, endpoint: str, values: dict):
    if rule.policy is not None:
        return rule.policy
    resource = rule.obj.split(":")[1] if rule.obj and ":" in rule.obj else _resource_of(endpoint, values)
    return listing_services()[resource].policy


def _allowed(rule: Rule, endpoint: str, values: dict, world: World, identity: Identity,
             variant: str | None = None) -> bool:
    return _policy(rule, endpoint, values).allows(rule.action, identity, _object(rule, endpoint, values, world,
                                                                                  identity, variant))


def _row_counts() -> dict[str, int]:
    """The number of rows of every table (one query)."""
    tables = db.metadata.sorted_tables
    counts = db.session.execute(select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables])).one()
    return dict(zip([t.name for t in tables], counts, strict=True))


def _body(endpoint: str, method: str):
    if method in ("GET", "DELETE"):
        return {}
    resource = endpoint.split("_api.")[0]
    if endpoint.endswith("Collection") and resource in DATA:
        return {"json": DATA[resource](title="矩阵新建")}
    if "_api." in endpoint or endpoint.startswith("api-docs"):
        return {"json": {"title": "矩阵改过", "decision": "approve", "reason": "矩阵", "ids": [1],
                         "resource": "patents", "role": "org_admin", "email": "matrix@example.com",
                         "credit_code": "91110000600037341L", "reference": "REF-1",
                         "stripe_account_id": "acct_matrix1"}}
    return {"data": {"decision": "approve", "reason": "矩阵", "title": "矩阵改过", "body": "矩阵消息",
                     "role": "org_admin", "email": "matrix@example.com", "items": "patents:1",
                     "credit_code": "91110000600037341L", "reference": "REF-1", "name": "矩阵"}}


def _restore(files: dict[Path, bytes]) -> None:
    """Put back stored files an allowed request deleted (its rows were rolled back, the files were not)."""
    for path, content in files.items():
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def _check_route(app, client, world: World, endpoint: str, method: str, rule_path: str, before: dict,
                 files: dict, variant: str | None = None, action: str | None = None) -> list[str]:
    """Every role calls one route (on the ``variant`` call or proposal, with ``action``); returns what went
    wrong."""
    rule = _rule(endpoint, method)
    values = _path_values(endpoint, rule_path, world, variant, action)
    with app.test_request_context(environ_base=client.environ_base):
        path = url_for(endpoint, **values)
        identifier = _create_identifier()  # what "strong" session protection compares
    if endpoint.startswith("portfolio_api"):
        path += f"?org_id={world.objects['owner_org']}"
    connection = db.session.get_bind()
    failures = []
    for role in ROLES:
        user_id = world.users[role]
        user = db.session.get(User, user_id) if user_id else None
        identity = Identity.of(user)
        allowed = _allowed(rule, endpoint, values, world, identity, variant)
        hidden = [text for text, secret_rule in world.secrets
                  if not _allowed(secret_rule, endpoint, values, world, identity)]
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
                session["_id"] = identifier
        db.session.commit()  # end the session's own savepoint: the request's must nest inside ours
        savepoint = connection.begin_nested()
        try:
            response = client.open(path, method=method, **_body(endpoint, method))
            text = response.get_data().decode("utf-8", "replace")  # PDFs too: a secret may be in one
            if response.is_json:  # JSON escapes Chinese (\uXXXX): read the secrets as they were written
                text += json.dumps(response.get_json(silent=True), ensure_ascii=False)
            after = _row_counts() if not allowed else None
        finally:
            db.session.remove()
            savepoint.rollback()
            _restore(files)
        status = response.status_code
        if not allowed and 200 <= status < 300:
            failures.append(f"{method} {path} {role}: {status} where the policy refuses")
        if not allowed and after != before:
            changed = [name for name in before if before[name] != after[name]]
            failures.append(f"{method} {path} {role}: a refused request changed rows of {changed}")
        leaked = [secret for secret in hidden if secret in text]
        if leaked:
            failures.append(f"{method} {path} {role}: received {leaked} ({status})")
    return failures


def test_policy_matrix(app, client, db_session):
    """One world for every route (building it is the slow part); every failure of every route is reported."""
    world = build_world(db_session)
    before = _row_counts()
    files = {path: path.read_bytes() for path in Path(app.config["UPLOAD_DIR"]).rglob("*") if path.is_file()}
    failures = []
    for endpoint, method, rule_path in _routes(app):
        for variant, action in _variants(endpoint, rule_path):
            failures += _check_route(app, client, world, endpoint, method, rule_path, before, files, variant, action)
    assert not failures, "\n".join(failures)
