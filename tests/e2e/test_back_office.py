"""An organizer answers from the control panel alone, in Chromium, as a new user would: how much
did I sell this week (the dashboard and the report), to whom (customers), what is still
available (the event's sales), who is coming tomorrow (the attendees, printable). Each page
passes axe (WCAG 2 A/AA) on a desktop and on a 375 px phone, where the menu collapses."""

import datetime as dt
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
from apps.sales.models import Order
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.payments import order_refund
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible
from tests.sales.helpers import payments_connect

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def nu_park(fresh_organization):
    """Nu park (Amsterdam): a show tomorrow for 40, seats at 15.00; this week three buyers
    bought 2 + 1 + 3 seats at the box office and one seat of the last order was refunded."""
    organization = fresh_organization(name="Nu parks", slug="nu-parks")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Nu park", slug="nu-park", currency="EUR", country="NL")
        payments_connect(park)
        manager = user_create(
            email="manager@nu.example", password=PASSWORD, full_name="Nina Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        box = park.distributions.get(kind="box_office")
        shop = park.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=park, name="Nu hall", address="Parkweg 3", city="Utrecht", country="NL", capacity=40
        )
        event = events.event_create(
            organizer=park, location=location, name="Nu show", distributions=[box, shop]
        )
        start = timezone.now() + dt.timedelta(days=1)
        day = events.event_date_create(event=event, start=start, end=start + dt.timedelta(hours=2))
        seat = events.ticket_type_create(event=event, event_date=day, name="Seat", price=Decimal("15.00"))
        events.event_publish(event=event)
        orders = []
        for name, quantity in (("Noor Visser", 2), ("Sam de Boer", 1), ("Lena Bakker", 3)):
            order = order_create(
                distribution=box,
                lines=[OrderLine(ticket_type=seat, quantity=quantity)],
                email=f"{name.split()[0].lower()}@example.com",
                buyer_name=name,
                payment_method=Order.PaymentMethod.CASH,
            )
            order.tickets.update(attendee_name=name)
            orders.append(order)
        order_refund(order_id=orders[2].pk, ticket_ids=[orders[2].tickets.order_by("pk").first().pk])
    services.domain_add(organization=organization, domain="nu-park.localhost", organizer_slug="nu-park")
    return {"event": event, "date": day}


def _url(live_server, path: str) -> str:
    return f"http://nu-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def _log_in(page, live_server):
    page.goto(_url(live_server, "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@nu.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales of Nu park")


def _brand_cut_short(page) -> bool:
    return page.evaluate(
        "() => { const name = document.querySelector('.control-nav .brand strong');"
        " return name.scrollWidth > name.clientWidth; }"
    )


def _check_both_sizes(page, what: str, artifacts, name: str):
    """axe on the page as a desktop shows it, then as a phone loads it; on both the
    organizer's short name is shown whole in the menu bar."""
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, context=f"{what}, desktop")
    assert not _brand_cut_short(page), f"the brand is cut short on {what}, desktop"
    page.set_viewport_size(PHONE)
    page.reload()
    assert_accessible(page, context=f"{what}, phone")
    assert not _brand_cut_short(page), f"the brand is cut short on {what}, phone"
    page.screenshot(path=str(artifacts / f"back-office-{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.reload()


def test_an_organizer_answers_the_days_questions_from_the_control_panel(
    page, live_server, nu_park, artifacts
):
    page.set_viewport_size(DESKTOP)
    _log_in(page, live_server)

    # How much did I sell this week? 6 seats at 15.00 = 90.00, one refunded: 75.00 net.
    dashboard = page.locator("#main")
    expect(dashboard).to_contain_text("90.00")
    expect(dashboard).to_contain_text("75.00")
    page.screenshot(path=str(artifacts / "back-office-dashboard.png"), full_page=True)
    _check_both_sizes(page, "the dashboard", artifacts, "dashboard")

    page.get_by_role("navigation", name="Main").get_by_text("Reports", exact=True).click()
    page.get_by_role("link", name="Sales report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sales report")
    expect(page.locator("#main")).to_contain_text("The orders and the payments agree.")
    _check_both_sizes(page, "the sales report", artifacts, "report")

    # To whom?
    page.goto(_url(live_server, "/control/customers/"))
    customers = page.get_by_role("table")
    for name in ("noor@example.com", "sam@example.com", "lena@example.com"):
        expect(customers).to_contain_text(name)
    _check_both_sizes(page, "the customers", artifacts, "customers")
    customers.get_by_role("link", name="Lena Bakker").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lena Bakker")
    _check_both_sizes(page, "a customer's page", artifacts, "customer")

    # What is still available? 40 seats, 6 sold, 1 of them refunded: 35 left.
    page.goto(_url(live_server, f"/control/events/{nu_park['event'].pk}/sales/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nu show")
    expect(page.locator("#main")).to_contain_text("35")
    _check_both_sizes(page, "the event's sales", artifacts, "event-sales")

    # Who is coming tomorrow?
    page.goto(_url(live_server, f"/control/event-dates/{nu_park['date'].pk}/attendees/"))
    attendees = page.get_by_role("table")
    for name in ("Noor Visser", "Sam de Boer", "Lena Bakker"):
        expect(attendees).to_contain_text(name)
    _check_both_sizes(page, "tomorrow's attendees", artifacts, "attendees")

    for path in ("/control/exports/", "/control/taxes/", "/control/invoices/"):
        page.goto(_url(live_server, path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _check_both_sizes(page, path, artifacts, path.strip("/").replace("/", "-"))
