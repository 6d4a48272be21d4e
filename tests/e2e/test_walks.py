"""Browser: the three users' main paths on a phone (375 px) and a desktop (1280 px), in Chinese and English.

- university TTO: log in → my listings → new patent → save and submit;
- manufacturer: search (facets in the drawer on phones) → a patent → one of its demands → its matches → start a deal;
- platform admin: moderation queue → dashboard → audit log.

Then the pages these paths pass by (``test_the_pages_beside_the_paths``): the notifications, the organisation's
profile, the second page of "My listings", a patent with a public and a confidential attachment, the service
orders and a service offer, a listing's moderation review (its diff), the verification queue, the audit log of
organisation decisions, and the 404 page.

On every page: no horizontal scroll (``scrollWidth <= innerWidth``), no raw value or Python literal in the text,
and a screenshot under ``tests/e2e/screenshots/walk-<user>-<width>-<lang>-<page>.png`` for people to look at.
"""
from __future__ import annotations

import io
import itertools
import re

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import log_in, screenshot
from tests.web.text_checks import RAW, untranslated_in

VIEWS = [(width, language) for width in (375, 1280) for language in ("zh", "en")]
IDS = [f"{width}-{language}" for width, language in VIEWS]
_deal_pick = itertools.count()


@pytest.fixture(scope="module")
def demo(demo_market):
    """The demo market, plus one listing sent back for revision (整改) so the audit log has a decision to show."""
    live = demo_market
    with live.app.app_context():
        from app.demo.seed import UNIVERSITIES
        from app.orgs.service import find_by_name
        from tests.factories import make_listing

        make_listing("patents", find_by_name(UNIVERSITIES[0].name), status="needs_revision",
                     title="一种钠离子电池层状氧化物正极材料", price=800000.0)
    return live


@pytest.fixture
def visitor(browser):
    """``visitor(width, language)`` → a page of a fresh context at that width, its locale chosen by header."""
    contexts = []

    def open_page(width: int, language: str):
        context = browser.new_context(locale="en-US" if language == "en" else "zh-CN",
                                      viewport={"width": width, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# Links in the browser's default blue and buttons in its default grey: a page (or part) the site's CSS missed.
UNSTYLED = """() => [...document.querySelectorAll('a[href], button, input[type=submit]')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .filter(e => e.tagName === 'A' ? getComputedStyle(e).color === 'rgb(0, 0, 238)'
                                 : ['rgb(239, 239, 239)', 'rgb(240, 240, 240)'].includes(getComputedStyle(e).backgroundColor))
  .map(e => e.outerHTML.slice(0, 160))"""


def check(page, name: str) -> None:
    """The page fits the screen and shows no internal value; saves its screenshot.

    The loaded page is measured and its text read once, for the checks only Python can make (the phrase lists
    of ``tests/web/text_checks``): callers wait for the page they mean before calling this."""
    page.wait_for_load_state("load")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    screenshot(page, name)
    assert widths[0] <= widths[1], f"{name}: the page is {widths[0]} px wide on a {widths[1]} px screen"
    unstyled = page.evaluate(UNSTYLED)
    assert not unstyled, f"{name}: links or buttons in the browser's default style: {unstyled[:3]}"
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # explanations too
    text = page.inner_text("body")
    raw = RAW.search(text)
    assert raw is None, f"{name}: raw value {raw.group(0)!r} in …{text[max(0, raw.start() - 60):raw.end() + 60]}…"
    if "-zh-" in name:
        assert not untranslated_in(text), f"{name}: English in the Chinese page: {untranslated_in(text)}"


def log_in_as(page, url: str, email: str, language: str) -> None:
    """Log a demo user in, the site in ``language``."""
    log_in(page, url, email, DEMO_PASSWORD, query=f"?lang={'en' if language == 'en' else 'zh_CN'}")
    if language == "en":  # the user's choice sticks for the session, as the header's button does
        page.goto(f"{url}/?lang=en")
        page.wait_for_load_state("load")


def go_by_menu(page, link_text: str, width: int) -> None:
    """Follow a header link, opening the menu first on a phone (where it is collapsed)."""
    if width < 640:
        expect(page.locator("#site-menu")).to_be_hidden()
        page.click(".menu-toggle")
        expect(page.locator("#site-menu")).to_be_visible()
    with page.expect_navigation():
        page.click(f"#site-menu a:text-is('{link_text}')")


def start_walk(demo, visitor, user: str, width: int, language: str, menu: tuple[str, str]):
    """Log the demo ``user`` in and open their first page from the header menu (``menu``: its zh and en link);
    returns the page and the prefix of its screenshots."""
    page = visitor(width, language)
    log_in_as(page, demo.url, f"{user}@demo.techbridge.cn", language)
    go_by_menu(page, menu[language == "en"], width)
    return page, f"walk-{user}-{width}-{language}"


@pytest.mark.parametrize("width, language", VIEWS, ids=IDS)
def test_university_tto_posts_and_submits_a_patent(demo, visitor, width, language):
    page, name = start_walk(demo, visitor, "tto", width, language, ("我的发布", "My listings"))
    check(page, f"{name}-1-my-listings")
    page.click("#new-listing")
    page.wait_for_url("**/my/*/new")
    check(page, f"{name}-2-new-patent")
    title = f"一种锂电池硅碳负极材料的制备方法（{width}-{language}）"
    page.fill("#listing-form input[name=title]", title)
    page.fill("#listing-form textarea[name=abstract]", "本发明公开了一种硅碳负极材料的制备方法，首次效率高，循环稳定。")
    page.fill("#listing-form input[name=price]", "500000")
    with page.expect_navigation():
        page.click("#save-and-submit")
    check(page, f"{name}-3-submitted")
    for words in (title, "Pending review" if language == "en" else "待审核"):
        expect(page.locator("body")).to_contain_text(words, use_inner_text=True)
    page.goto(f"{demo.url}/my/listings?resource=patents&q=硅碳负极")
    check(page, f"{name}-4-my-listings-search")
    expect(page.locator("#my-listings tr[data-id]")).not_to_have_count(0)
    page.goto(f"{demo.url}/portfolio/")
    check(page, f"{name}-5-portfolio")


@pytest.mark.parametrize("width, language", VIEWS, ids=IDS)
def test_manufacturer_searches_reads_matches_and_starts_a_deal(demo, visitor, width, language):
    page, name = visitor(width, language), f"walk-buyer-{width}-{language}"
    log_in_as(page, demo.url, "buyer@demo.techbridge.cn", language)
    page.goto(f"{demo.url}/search/patents?q=图像")
    check(page, f"{name}-1-search")
    if width < 640:  # the facets wait in a drawer
        expect(page.locator("#facets")).to_be_hidden()
        page.click(".facet-toggle")
        expect(page.locator("#facets")).to_be_visible()
        check(page, f"{name}-2-facet-drawer")
        page.keyboard.press("Escape")
        expect(page.locator("#facets")).to_be_hidden()
    with page.expect_navigation():
        page.click(".hit h3 a >> nth=0")
    check(page, f"{name}-3-patent")
    page.goto(f"{demo.url}/my/listings?resource=demands")
    with page.expect_navigation():
        page.click("#my-listings tr[data-id] td a >> nth=0")
    with page.expect_navigation():
        page.click("a:text-is('View the public page'), a:text-is('查看公开页面')")
    check(page, f"{name}-4-demand-with-matches")
    expect(page.locator(".matches .match")).not_to_have_count(0)
    page.click("a.button:text-is('Start a deal'), a.button:text-is('发起交易')")
    page.wait_for_url(re.compile(r"/deals/new\?(.+&)?demand_id="))
    check(page, f"{name}-5-matches")
    inquiries = page.locator("article.match a.button")
    inquiries.nth(next(_deal_pick) % inquiries.count()).click()
    page.wait_for_url(re.compile(r"/deals/new\?(.+&)?patent_id="))
    page.fill("#inquiry-form textarea[name=message]", "我们希望了解该技术的许可条件与中试数据。")
    page.click("#inquiry-form button[type=submit]")
    page.wait_for_url(re.compile(r"/deals/\d+/?$"))  # the deal (a new one, or the one already open) is shown
    check(page, f"{name}-6-deal")


@pytest.mark.parametrize("width, language", VIEWS, ids=IDS)
def test_platform_admin_moderates_and_reads_the_audit_log(demo, visitor, width, language):
    page, name = start_walk(demo, visitor, "admin", width, language, ("管理后台", "Admin"))
    check(page, f"{name}-1-queue")
    page.goto(f"{demo.url}/admin/dashboard")
    check(page, f"{name}-2-dashboard")
    page.goto(f"{demo.url}/admin/audit")
    check(page, f"{name}-3-audit")
    page.goto(f"{demo.url}/payments/admin/payouts")
    check(page, f"{name}-4-payouts")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_walked_page_fits_a_tablet(demo, visitor, language):
    """At 768 px (the width between the phone and desktop layouts) as a buyer, then as the platform admin."""
    page = visitor(768, language)
    for email, paths in (("buyer@demo.techbridge.cn", ["/", "/search/patents?q=图像", "/search/demands",
                                                      "/search/services", "/my/listings?resource=demands", "/deals/",
                                                      "/service-orders/", "/service-orders/new", "/notifications"]),
                         ("admin@demo.techbridge.cn", ["/admin/moderation", "/admin/dashboard", "/admin/audit",
                                                      "/payments/admin/payouts", "/deals/desk"])):
        log_in_as(page, demo.url, email, language)
        for number, path in enumerate(paths, 1):
            page.goto(demo.url + path)
            check(page, f"walk-tablet-768-{language}-{email.split('@')[0]}-{number}")
        page.goto(f"{demo.url}/")
        page.click("header button:text-is('Log out'), header button:text-is('退出')")
        expect(page.locator("header .who")).to_have_count(0)  # signed out before the next user signs in


@pytest.fixture(scope="module")
def beside(demo):
    """What the pages beside the paths show: a published patent of the TTO's with a public and a confidential PDF
    and edits waiting for review, an organisation verified after a refusal (two audited decisions, two
    notifications), and a published service offer."""
    from pypdf import PdfWriter
    from sqlalchemy import select
    from werkzeug.datastructures import FileStorage

    from app.accounts.models import User
    from app.core.extensions import db
    from app.core.identity import Identity
    from app.demo.seed import UNIVERSITIES
    from app.orgs import service as orgs
    from app.orgs.models import Organisation, OrgKind, VerificationStatus
    from app.patents import attachments
    from app.patents.service import patents_service
    from app.service_offers.models import ServiceOffer
    from tests.factories import make_listing

    def pdf(name: str) -> FileStorage:
        writer, buffer = PdfWriter(), io.BytesIO()
        writer.add_blank_page(width=595, height=842)
        writer.write(buffer)
        buffer.seek(0)
        return FileStorage(buffer, filename=name, content_type="application/pdf")

    live = demo
    with live.app.app_context():
        user = {name: db.session.scalar(select(User).where(User.email == f"{name}@demo.techbridge.cn"))
                for name in ("tto", "admin")}
        university = orgs.find_by_name(UNIVERSITIES[0].name)
        patent = make_listing("patents", university, title="一种固态电解质薄膜的制备方法", price=1200000.0,
                              legal_status="granted", patent_type="invention", inventors=["王五", "赵六"],
                              application_date="2022-04-18", grant_date="2024-01-09",
                              coop_modes=["assignment", "exclusive_licence"], maturity="pilot", trl=6,
                              indicators=[{"name": "离子电导率", "comparator": "gte", "value": 1.0, "unit": "mS/cm"}])
        tto = Identity.of(user["tto"])
        attachments.add(tto, patent.id, pdf("检测报告.pdf"))
        attachments.add(tto, patent.id, pdf("工艺参数（保密）.pdf"), confidential=True)
        patents_service.update(tto, patent.id, {"title": "一种固态电解质薄膜的低温制备方法", "price": 1200000,
                                                "trl": "6"})
        applicant = Organisation(name="示范储能装备有限公司", kind=OrgKind.enterprise, region="江苏",
                                 verification_status=VerificationStatus.pending, credit_code="91320500MA1W8Q3K71")
        db.session.add(applicant)
        db.session.commit()
        admin = Identity.of(user["admin"])
        orgs.decide_verification(admin, applicant.id, "reject", "营业执照名称与机构名称不一致")
        orgs.decide_verification(admin, applicant.id, "verify")
        offer = db.session.scalar(select(ServiceOffer).where(ServiceOffer.status == "approved").limit(1))
        return {"patent": patent.id, "university": university.id, "offer": offer.id}


@pytest.mark.parametrize("width, language", VIEWS, ids=IDS)
def test_the_pages_beside_the_paths(demo, beside, visitor, width, language):
    """Each page the issue names that the three paths do not pass through fits the screen, is styled, and shows
    no internal value or untranslated English."""
    url, view = demo.url, f"{width}-{language}"
    patent = f"/patents/{beside['patent']}"
    anonymous = visitor(width, language)
    anonymous.goto(f"{url}/no-such-page")
    expect(anonymous.locator("main h1")).to_have_text("Page not found" if language == "en" else "页面不存在")
    check(anonymous, f"walk-beside-{view}-1-404")
    anonymous.goto(url + patent)
    expect(anonymous.locator("#attachments")).to_contain_text("检测报告.pdf")
    expect(anonymous.locator("#attachments")).not_to_contain_text("保密")  # a confidential file is not listed
    check(anonymous, f"walk-beside-{view}-2-patent-public")
    anonymous.goto(f"{url}/orgs/{beside['university']}")
    expect(anonymous.locator("#contact")).to_be_visible()
    check(anonymous, f"walk-beside-{view}-3-org")

    tto = visitor(width, language)
    log_in_as(tto, url, "tto@demo.techbridge.cn", language)
    for number, path in enumerate(["/notifications", "/my/listings?resource=patents&page=2", patent,
                                   f"/my/patents/{beside['patent']}/edit"], 4):
        tto.goto(url + path)
        check(tto, f"walk-beside-{view}-{number}-tto")

    buyer = visitor(width, language)
    log_in_as(buyer, url, "buyer@demo.techbridge.cn", language)
    for number, path in enumerate(["/service-orders/", "/service-orders/new", f"/services/{beside['offer']}",
                                   "/deals/", "/portfolio/"], 8):
        buyer.goto(url + path)
        check(buyer, f"walk-beside-{view}-{number}-buyer")

    admin = visitor(width, language)
    log_in_as(admin, url, "admin@demo.techbridge.cn", language)
    admin.goto(f"{url}/admin/moderation/patents/{beside['patent']}")
    expect(admin.locator("#pending-diff tbody tr")).to_have_count(1)  # the title; price and TRL re-typed only
    check(admin, f"walk-beside-{view}-13-review")
    for number, path in enumerate(["/admin/verifications/", "/admin/audit?object_type=organisation"], 14):
        admin.goto(url + path)
        check(admin, f"walk-beside-{view}-{number}-admin")
    expect(admin.locator("#audit-log")).to_contain_text("示范储能装备有限公司")
