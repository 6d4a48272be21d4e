"""The pages the browser walks visit, rendered in Chinese: no raw enum value, Python literal or internal code,
and no English sentence of the message catalogue left untranslated."""
from __future__ import annotations

import pytest

from tests.factories import make_listing
from tests.web.text_checks import RAW, untranslated_in, visible_text


@pytest.fixture
def market(app_engine, university, enterprise, provider):
    return {"patent": make_listing("patents", university, price=500000.0, price_negotiable=True,
                                   coop_modes=["exclusive_licence", "non_exclusive_licence"], legal_status="granted",
                                   patent_type="utility_model", maturity="mass_production"),
            "returned": make_listing("patents", university, status="needs_revision", title="需要整改的专利"),
            "demand": make_listing("demands", enterprise),
            "service": make_listing("services", provider, price_from=20000.0),
            "university": university}


def scan(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code in (200, 400, 404), (path, page.status_code)
    # Everything on the page is scanned, the folded "why this match" explanations included.
    text = visible_text(page.text)
    raw = RAW.search(text)
    assert raw is None, f"{path}: {raw.group(0)!r} in …{text[max(0, raw.start() - 80):raw.end() + 80]}…"
    assert not untranslated_in(text), f"{path}: {untranslated_in(text)}"
    return text


def test_public_pages(client, market):
    for path in ("/", "/search/patents", "/search/demands", "/search/services", "/search/patents?price_min=9&price_max=1",
                 f"/patents/{market['patent'].id}", f"/demands/{market['demand'].id}",
                 f"/services/{market['service'].id}", f"/orgs/{market['university'].id}", "/no-such-page",
                 "/login", "/register"):
        scan(client, path)


def test_owner_pages(login, market, tto_user, buyer_user):
    client = login(tto_user)
    for path in ("/my/listings", "/my/listings?status=needs_revision", "/my/patents/new",
                 f"/my/patents/{market['returned'].id}/edit", f"/patents/{market['patent'].id}", "/deals/",
                 "/notifications", "/portfolio/", "/account"):
        scan(client, path)
    client = login(buyer_user)
    for path in ("/deals/", "/service-orders/", "/service-orders/new", f"/deals/new?demand_id={market['demand'].id}"):
        scan(client, path)
    assert "为什么匹配" in scan(client, f"/demands/{market['demand'].id}")  # an explanation was scanned too


def test_admin_pages(login, market, admin_user):
    client = login(admin_user)
    for path in ("/admin/moderation", "/admin/dashboard", "/admin/audit", "/admin/verifications/",
                 "/payments/admin/payouts", "/deals/desk"):
        scan(client, path)
