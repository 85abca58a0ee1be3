"""An organizer adds a parking add-on in the control panel (after a form error); a buyer sees
it announced on the event page, reserves a ticket, adds parking to it in the cart, and sees it
on the cart and on the order page. The new pages pass axe (WCAG 2 A/AA) on a desktop and on a
375 px phone."""

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
from apps.sales.models import AddOn, AddOnStock, Order
from apps.sales.services.orders import order_mark_paid
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible
from tests.sales.helpers import payments_connect

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def parking_park(fresh_organization):
    """Parking park (EUR): a published event "Open day" in its shop with an entry at 10.00,
    and its manager, who configures it."""
    organization = fresh_organization(name="Parking parks", slug="parkingpark")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Parking park", slug="parking-park", currency="EUR", country="FR")
        manager = user_create(
            email="manager@parking.example", password=PASSWORD, full_name="Lou Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        payments_connect(park)
        shop = park.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=park, name="Parking park", address="1 allée", city="Lyon", country="FR"
        )
        start = timezone.now() + timezone.timedelta(days=20)
        event = events.event_create(organizer=park, location=location, name="Open day", distributions=[shop])
        day = events.event_date_create(
            event=event, start=start, end=start + timezone.timedelta(hours=4), capacity=50
        )
        events.ticket_type_create(event=event, event_date=day, name="Entry", price=Decimal("10.00"))
        events.event_publish(event=event)
    services.domain_add(
        organization=organization, domain="parking-park.localhost", organizer_slug="parking-park"
    )
    return organization


def _url(live_server, path: str) -> str:
    return f"http://parking-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def _accessible_on_both(page, context: str) -> None:
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, context=f"{context} (desktop)")
    page.set_viewport_size(PHONE)
    assert_accessible(page, context=f"{context} (375 px)")
    page.set_viewport_size(DESKTOP)


def test_an_organizer_adds_parking_and_a_buyer_adds_it_to_a_ticket(
    page, live_server, parking_park, artifacts
):
    page.set_viewport_size(DESKTOP)
    page.goto(_url(live_server, "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@parking.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Events", exact=True).click()  # the menu's group
    nav.get_by_role("link", name="Add-ons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add-ons")
    expect(page.get_by_text("No add-ons yet.")).to_be_visible()
    page.get_by_role("button", name="Add an add-on").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Add an add-on")
    _accessible_on_both(page, "the add-on form")
    page.get_by_label(re.compile(r"^Name")).fill("Parking")
    page.get_by_label(re.compile(r"^Price")).fill("5.001")  # too many decimals for EUR
    page.get_by_label("Stock", exact=True).fill("20")
    page.get_by_label("Each ticket").check()
    page.get_by_label("Event", exact=True).select_option(label="Parking park · Open day")
    page.get_by_role("button", name="Add the add-on").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The add-on was not saved")
    _accessible_on_both(page, "the add-on form with an error")
    page.get_by_label(re.compile(r"^Price")).fill("5.00")
    page.get_by_role("button", name="Add the add-on").click()

    expect(page.get_by_role("status")).to_contain_text("Add-on “Parking” saved.")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Parking"))
    expect(row).to_contain_text("€5.00")
    expect(row).to_contain_text("20")
    page.screenshot(path=str(artifacts / "add-ons.png"), full_page=True)
    _accessible_on_both(page, "the add-ons list")

    buyer = page.context.browser.new_page()
    buyer.set_viewport_size(DESKTOP)
    buyer.goto(_url(live_server, "/"))
    buyer.get_by_role("link", name="Open day").click()
    expect(buyer.get_by_role("heading", name="Extras")).to_be_visible()
    _accessible_on_both(buyer, "the event page announcing its add-ons")
    buyer.get_by_label("Number of “Entry” tickets").fill("1")
    buyer.get_by_role("button", name="Reserve these tickets").click()

    expect(buyer).to_have_url(re.compile(r"/cart/$"))
    expect(buyer.get_by_role("heading", name="Add extras")).to_be_visible()
    _accessible_on_both(buyer, "the cart offering add-ons")
    buyer.get_by_label(re.compile(r"^Parking")).fill("1")
    buyer.get_by_role("button", name="Add to my cart").click()

    expect(buyer.get_by_role("status")).to_contain_text("Added to your cart.")
    chosen = buyer.get_by_role("table", name="Add-ons in this order")
    expect(chosen.get_by_role("rowheader", name="Parking")).to_be_visible()
    total = buyer.get_by_role("row").filter(has=buyer.get_by_role("rowheader", name="Total"))
    expect(total).to_contain_text("€15.00")
    buyer.screenshot(path=str(artifacts / "cart-add-ons.png"), full_page=True)
    _accessible_on_both(buyer, "the cart with parking")

    with schema_context(parking_park.schema_name):
        order = Order.objects.get()
        assert order.total == Decimal("15.00")
        parking = AddOn.objects.get(name="Parking")
        assert (AddOnStock.objects.get(add_on=parking).held, parking.stock) == (1, 20)
        order_mark_paid(order_id=order.pk)  # as its card payment would
    buyer.goto(_url(live_server, f"/orders/{order.code}/{order.secret}/"))
    expect(
        buyer.get_by_role("table", name="Add-ons in this order").get_by_role("rowheader", name="Parking")
    ).to_be_visible()
    _accessible_on_both(buyer, "the order page with its add-ons")
    buyer.close()
