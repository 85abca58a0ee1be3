"""The waiting list in a browser: a buyer finds the date sold out and joins its list; a seat
frees (an order is cancelled); the offer e-mail's link opens a held cart and the buyer checks
out; the organizer sees the list with the entry bought and the conversion. The new pages pass
axe (WCAG 2 A/AA) on a desktop and on a 375 px phone."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.events import services as events
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.sales.models import DateStock, Order, WaitingListEntry
from apps.sales.services.orders import OrderLine, order_cancel, order_create
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def wait_park(fresh_organization):
    """Wait park's open day: 2 seats, both taken (two free orders); its manager."""
    organization = fresh_organization(name="Wait parks", slug="wait-parks")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Wait park", slug="wait-park", currency="EUR", country="FR")
        manager = user_create(
            email="manager@wait.example", password=PASSWORD, full_name="Wanda Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        shop = park.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=park, name="Wait hall", address="3 quai", city="Lyon", country="FR"
        )
        event = events.event_create(organizer=park, location=location, name="Open day", distributions=[shop])
        start = timezone.now() + timezone.timedelta(days=10)
        day = events.event_date_create(
            event=event, start=start, end=start + timezone.timedelta(hours=3), capacity=2
        )
        entry = events.ticket_type_create(event=event, event_date=day, name="Entry", price=Decimal("0"))
        events.event_publish(event=event)
        taken = [
            order_create(
                distribution=shop,
                lines=[OrderLine(ticket_type=entry, quantity=1)],
                email=f"early{i}@example.com",
                payment_method=Order.PaymentMethod.FREE,
            )
            for i in range(2)
        ]
    services.domain_add(organization=organization, domain="wait-park.localhost", organizer_slug="wait-park")
    return {"organization": organization, "event": event, "day": day, "taken": taken}


def _url(live_server, path: str) -> str:
    return f"http://wait-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def _accessible_on_desktop_and_phone(page, what: str) -> None:
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, context=f"{what}, desktop")
    page.set_viewport_size(PHONE)
    assert_accessible(page, context=f"{what}, phone")
    page.set_viewport_size(DESKTOP)


def test_a_buyer_waits_gets_the_freed_seat_and_the_organizer_sees_it_bought(
    page, live_server, wait_park, artifacts
):
    organization, event, day = wait_park["organization"], wait_park["event"], wait_park["day"]
    page.goto(_url(live_server, f"/events/{event.pk}/"))

    expect(page.get_by_text("Sold out").first).to_be_visible()
    page.get_by_role("link", name="Join the waiting list for “Entry”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the waiting list")
    _accessible_on_desktop_and_phone(page, "joining the waiting list")
    page.get_by_label("E-mail address").fill("jeanne@example.com")
    page.get_by_label("Number of tickets").fill("1")
    page.get_by_role("button", name="Join the waiting list").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are on the waiting list")
    expect(page.get_by_text("We will e-mail jeanne@example.com as soon as 1 “Entry” ticket")).to_be_visible()
    _accessible_on_desktop_and_phone(page, "on the waiting list")

    with schema_context(organization.schema_name):
        order_cancel(order_id=wait_park["taken"][0].pk)  # a seat frees: offered in that transaction
        assert DateStock.objects.get(event_date=day).held == 1
    [offer] = [m for m in mail.outbox if m.subject == "Tickets are free for you: Open day"]
    assert offer.to == ["jeanne@example.com"]
    link = re.search(r"/waiting-list/offers/[^/\s]+/", offer.body).group(0)

    page.goto(_url(live_server, link))
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("Reserved for you until")).to_be_visible()
    expect(page.locator(".countdown-left")).to_have_text(re.compile(r"^2[34]:\d\d:\d\d$"))  # the offer's 24 h
    page.get_by_label("E-mail address").fill("jeanne@example.com")
    page.get_by_role("button", name="Get my tickets").click()
    expect(page).to_have_url(re.compile(r"/orders/[A-Z0-9]+/[\w-]+/$"))
    with schema_context(organization.schema_name):
        entry = WaitingListEntry.objects.get()
        assert (entry.status, entry.order.status) == (WaitingListEntry.Status.CONVERTED, Order.Status.PAID)
        assert DateStock.objects.get(event_date=day).sold == 2

    page.goto(_url(live_server, link))  # the link again: it shows the order bought
    expect(page).to_have_url(re.compile(r"/orders/[A-Z0-9]+/[\w-]+/$"))

    page.goto(_url(live_server, "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@wait.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    page.goto(_url(live_server, f"/control/events/{event.pk}/"))
    page.get_by_role("link", name=re.compile("^Waiting list of ")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Waiting list of")
    row = page.get_by_role("row", name=re.compile("jeanne@example.com"))
    expect(row).to_contain_text("Bought")
    expect(page.locator("dl.summary")).to_contain_text("1 (100 %)")
    page.screenshot(path=str(artifacts / "control-waiting-list.png"), full_page=True)
    _accessible_on_desktop_and_phone(page, "the organizer's waiting list")
