"""An organizer adds a hidden ticket type for season-ticket holders and an access code that
shows it at a set price; a holder follows the link with the code, sees the hidden type and
the discount on the event page, the cart and the order. The new pages pass axe (WCAG 2 A/AA)
on a desktop and on a 375 px phone."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.events import services as events
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.sales.models import Order, Voucher
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible
from tests.sales.helpers import payments_connect

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
HOST = "mu-club.localhost"


@pytest.fixture
def mu_club(fresh_organization):
    """Mu club (EUR): a published away match in its shop with a public ticket at 20.00, and
    its manager, who configures it."""
    organization = fresh_organization(name="Mu football", slug="mufoot")
    with schema_context(organization.schema_name):
        club = organizer_create(name="Mu club", slug="mu-club", currency="EUR", country="FR")
        manager = user_create(
            email="manager@mu.example", password=PASSWORD, full_name="Mo Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[club])
        payments_connect(club)
        shop = club.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=club, name="Away stadium", address="1 rue du Stade", city="Lille", country="FR"
        )
        match = events.event_create(
            organizer=club, location=location, name="Away match", distributions=[shop]
        )
        start = timezone.now() + timezone.timedelta(days=20)
        day = events.event_date_create(
            event=match, start=start, end=start + timezone.timedelta(hours=2), capacity=100
        )
        events.ticket_type_create(event=match, event_date=day, name="Standard", price=Decimal("20.00"))
        events.event_publish(event=match)
    services.domain_add(organization=organization, domain=HOST, organizer_slug="mu-club")
    organization.match_pk = match.pk
    return organization


def _url(live_server, path: str) -> str:
    return f"http://{HOST}:{live_server.url.rsplit(':', 1)[1]}{path}"


def _both_sizes(page, context: str) -> None:
    assert_accessible(page, context=f"{context} (desktop)")
    page.set_viewport_size(PHONE)
    assert_accessible(page, context=f"{context} (375 px)")
    page.set_viewport_size(DESKTOP)


def test_an_access_code_link_shows_the_hidden_type_and_the_discount(page, live_server, mu_club, artifacts):
    page.set_viewport_size(DESKTOP)
    # The organizer: a hidden ticket type, then an access code for it.
    page.goto(_url(live_server, "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@mu.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    page.goto(_url(live_server, f"/control/events/{mu_club.match_pk}/"))
    ticket_types = page.locator("#ticket-types")
    ticket_types.get_by_role("textbox", name="Name", exact=True).fill("Season holders")
    ticket_types.get_by_label("Price (EUR)").fill("15.00")
    ticket_types.get_by_label("Valid on").select_option(index=1)
    ticket_types.get_by_label("Hidden").check()
    ticket_types.get_by_role("button", name="Add ticket type").click()
    expect(page.get_by_text("hidden: access code or box office")).to_be_visible()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Events", exact=True).click()
    nav.get_by_role("link", name="Vouchers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vouchers")
    expect(page.get_by_text("No vouchers yet.")).to_be_visible()
    page.get_by_role("button", name="Add vouchers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add vouchers")
    _both_sizes(page, "the form of a voucher")
    page.get_by_label("Code", exact=True).fill("holders")
    page.get_by_label("Set price").check()
    page.get_by_label(re.compile(r"^Value")).fill("-1")
    page.get_by_label("Shows hidden ticket types (an access code)").check()
    page.get_by_label("Away match · Season holders (hidden)").check()
    page.get_by_label("Maximum uses", exact=True).fill("10")
    page.get_by_role("button", name="Add", exact=True).click()
    # A bad value: the summary says so, and the page stays accessible.
    expect(page.get_by_role("alert")).to_contain_text("Value")
    _both_sizes(page, "the form of a voucher with an error")
    page.get_by_label(re.compile(r"^Value")).fill("0")
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Voucher holders saved.")
    row = page.get_by_role("row", name=re.compile("holders"))
    expect(row).to_contain_text("0 / 10")
    page.screenshot(path=str(artifacts / "control-vouchers.png"), full_page=True)
    _both_sizes(page, "the list of vouchers")

    # A season-ticket holder, in their own browser, follows the link with the code.
    buyer = page.context.browser.new_page(viewport=DESKTOP)
    buyer.goto(_url(live_server, f"/events/{mu_club.match_pk}/?voucher=HOLDERS"))
    expect(buyer.locator(".voucher-box")).to_contain_text("Code holders applied: price €0.00.")
    holders = buyer.get_by_role("row", name=re.compile("Season holders"))
    expect(holders).to_contain_text("€15.00")
    expect(holders).to_contain_text("€0.00")
    _both_sizes(buyer, "the event page with an access code")
    buyer.get_by_label("Number of “Season holders” tickets").fill("2")
    buyer.get_by_role("button", name="Reserve these tickets").click()

    expect(buyer).to_have_url(re.compile(r"/cart/$"))
    expect(buyer.get_by_text("code holders: €15.00 off")).to_have_count(2)
    expect(buyer.get_by_role("row", name=re.compile("Discount with codes"))).to_contain_text("€30.00")
    _both_sizes(buyer, "the cart with a discount")
    buyer.get_by_label("E-mail address").fill("holder@example.com")
    buyer.get_by_role("button", name="Get my tickets").click()

    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Order")
    expect(buyer.get_by_text("code holders: €15.00 off")).to_have_count(2)
    expect(buyer.get_by_text(re.compile("Discount with codes"))).to_contain_text("€30.00")
    buyer.screenshot(path=str(artifacts / "shop-order-with-code.png"), full_page=True)
    _both_sizes(buyer, "the order with a discount")
    with schema_context(mu_club.schema_name):
        order = Order.objects.get(email="holder@example.com")
        assert (order.status, order.total, order.discount_total) == (
            "paid",
            Decimal("0.00"),
            Decimal("30.00"),
        )
        assert Voucher.objects.get(code="holders").used == 2
    buyer.close()
