"""The control panel's menu in Chromium: one row at 1280 px (in English and in French), its
groups opened and closed with the keyboard, folded behind a Menu button on a phone; a
cashier's menu; a success message that looks like success."""

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.tenancy import services

pytestmark = pytest.mark.e2e
HOST = "omega-park.localhost"
GROUPS = {
    "en": ["Sell", "Events", "Reports", "Settings"],
    "fr": ["Vente", "Événements", "Rapports", "Paramètres"],
}


@pytest.fixture
def omega(fresh_organization):
    """Omega park, its organization admin (a long e-mail address) and its cashier."""
    organization = fresh_organization(name="Omega parks", slug="omega")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Omega amusement park", slug="omega-park", currency="EUR", country="NL")
        admin = user_create(
            email="administration.office@omega-amusement-park.example",
            password="a long pass phrase",
            full_name="Ada Admin",
            is_operator=True,
            is_admin=True,
            email_verified=True,
        )
        cashier = user_create(
            email="cashier@omega.example",
            password="a long pass phrase",
            full_name="Cas Hier",
            email_verified=True,
        )
        operator_link(operator=cashier, distributions=[park.distributions.get(kind="box_office")])
    services.domain_add(organization=organization, domain=HOST, organizer_slug="omega-park")
    organization.people = {"admin": admin, "cashier": cashier}
    return organization


def _url(live_server, path: str) -> str:
    return f"http://{HOST}:{live_server.url.rsplit(':', 1)[1]}{path}"


def _logged_in(browser, omega, who: str, **context_options):
    """A browser context whose session is `who`'s (logged in as the login page would)."""
    client = Client(HTTP_HOST=HOST)
    with schema_context(omega.schema_name):
        client.force_login(omega.people[who])
    context = browser.new_context(**context_options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "domain": HOST, "path": "/"}]
    )
    return context


def _groups(page):
    return page.locator("nav[data-menu] summary")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_at_1280_px_the_menu_is_one_row(browser, live_server, omega, artifacts, language):
    context = _logged_in(browser, omega, "admin", viewport={"width": 1280, "height": 800}, locale=language)
    page = context.new_page()
    page.goto(_url(live_server, "/control/check-in/"))

    nav = page.get_by_role("navigation", name={"en": "Main", "fr": "Principal"}[language])
    summaries = _groups(page)
    expect(summaries.first).to_be_visible()
    page.screenshot(path=str(artifacts / f"navigation-1280-{language}.png"))
    names = [name.strip() for name in summaries.all_inner_texts()]
    assert [name for name in names if name in GROUPS[language]] == GROUPS[language]
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    # Every item of the bar (groups, the shop, the account, the language) on one line.
    items = nav.locator("summary, .nav-groups > li > a, .lang-form select, .brand")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    centres = [box["y"] + box["height"] / 2 for box in boxes]
    assert max(centres) - min(centres) < 8, boxes
    row = max(box["height"] for box in boxes)
    assert nav.bounding_box()["height"] < 2 * row + 40, (nav.bounding_box(), row)  # one line, not two
    assert max(box["x"] + box["width"] for box in boxes) <= 1280
    context.close()


def test_a_group_opens_and_closes_with_the_keyboard(browser, live_server, omega):
    context = _logged_in(browser, omega, "admin", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(_url(live_server, "/control/check-in/"))
    nav = page.get_by_role("navigation", name="Main")
    settings_group = nav.locator("details", has=page.locator("summary", has_text="Settings"))
    team = nav.get_by_role("link", name="My team")

    expect(team).to_be_hidden()
    nav.locator("summary", has_text="Settings").focus()
    page.keyboard.press("Enter")
    expect(settings_group).to_have_attribute("open", "")
    expect(team).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Organizers")).to_be_focused()  # its first page
    page.keyboard.press("Escape")
    expect(team).to_be_hidden()
    expect(nav.locator("summary", has_text="Settings")).to_be_focused()

    nav.locator("summary", has_text="Sell").click()
    nav.locator("summary", has_text="Events").click()  # one group open at a time
    expect(nav.get_by_role("link", name="Check-in")).to_be_hidden()
    nav.get_by_role("link", name="All events").click()
    expect(page).to_have_url(_url(live_server, "/control/events/"))
    expect(nav.locator("summary.current")).to_have_text("Events")
    expect(nav.locator("a[aria-current=page]")).to_have_text("All events")  # in the closed group
    context.close()


def test_on_a_phone_the_menu_folds_behind_a_button(browser, live_server, omega, artifacts):
    context = _logged_in(
        browser, omega, "cashier", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(_url(live_server, "/control/check-in/"))
    nav = page.get_by_role("navigation", name="Main")
    button = nav.get_by_role("button", name="Menu")

    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(_groups(page).first).to_be_hidden()
    assert nav.bounding_box()["height"] < 120  # the brand and the button only
    page.screenshot(path=str(artifacts / "navigation-phone-folded.png"))

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(_groups(page).first).to_be_visible()
    names = [name.strip() for name in _groups(page).all_inner_texts()]
    # The cashier: the box office, check-in and orders; no events, reports or settings.
    assert names[0] == "Sell"
    assert not {"Events", "Reports", "Settings"} & set(names)
    assert nav.get_by_role("link", name="My team").count() == 0
    nav.locator("summary", has_text="Sell").click()
    page.screenshot(path=str(artifacts / "navigation-phone-open.png"), full_page=True)
    nav.get_by_role("link", name="Box office").click()
    expect(page).to_have_url(_url(live_server, "/control/box-office/"))
    expect(nav.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")  # folded again
    context.close()


def test_a_success_message_looks_like_success(browser, live_server, omega, artifacts):
    context = _logged_in(browser, omega, "admin", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(_url(live_server, "/control/invitations/"))
    page.get_by_label("E-mail address").fill("newbie@omega.example")
    page.get_by_label("Omega amusement park", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()

    message = page.locator(".messages").get_by_role("status")
    expect(message).to_contain_text("Invitation sent to newbie@omega.example")
    expect(message).to_have_class("message message-success")
    border = message.evaluate("element => getComputedStyle(element).borderLeftColor")
    assert border == "rgb(21, 128, 61)", border  # green, not the accent orange of warnings
    page.screenshot(path=str(artifacts / "navigation-success-message.png"))
    context.close()
