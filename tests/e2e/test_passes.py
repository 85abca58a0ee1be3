"""Season passes end to end: an organizer adds a pass type (booking mode) in the control
panel; a customer buys the pass (free here) in the shop, finds it in their account and books
a date with it; the gate admits the booked ticket, showing the holder's name. axe checks the
new pages on a desktop and a 375 px phone."""

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
from apps.sales.models import Pass, PassBooking
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible
from tests.sales.helpers import payments_connect

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
HOST = "mu-park.localhost"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def mu_park(fresh_organization):
    """Mu park: a "Season 2027" event selling a free "Season pass" for 90 days, a "Park day"
    today (capacity 50, "Day entry" 12.00), its manager and a customer."""
    organization = fresh_organization(name="Mu parks", slug="muparks")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Mu park", slug="mu-park", currency="EUR", country="FR")
        manager = user_create(
            email="manager@mu.example", password=PASSWORD, full_name="Lou Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        user_create(email="camille@mu.example", password=PASSWORD, full_name="Camille", email_verified=True)
        payments_connect(park)
        shop = park.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=park, name="Mu park", address="1 allée", city="Lyon", country="FR"
        )
        now = timezone.now()
        season = events.event_create(
            organizer=park, location=location, name="Season 2027", distributions=[shop]
        )
        season_date = events.event_date_create(
            event=season, start=now - timezone.timedelta(hours=1), end=now + timezone.timedelta(days=90)
        )
        events.ticket_type_create(
            event=season, event_date=season_date, name="Season pass", price=Decimal("0")
        )
        events.event_publish(event=season)
        day = events.event_create(organizer=park, location=location, name="Park day", distributions=[shop])
        day_date = events.event_date_create(
            event=day,
            start=now - timezone.timedelta(hours=1),
            end=now + timezone.timedelta(hours=6),
            capacity=50,
        )
        events.ticket_type_create(event=day, event_date=day_date, name="Day entry", price=Decimal("12.00"))
        events.event_publish(event=day)
    services.domain_add(organization=organization, domain=HOST, organizer_slug="mu-park")
    return organization


def _url(live_server, path: str) -> str:
    return f"http://{HOST}:{live_server.url.rsplit(':', 1)[1]}{path}"


def _log_in(page, live_server, email: str, path: str = "/accounts/login/") -> None:
    page.context.clear_cookies()
    page.goto(_url(live_server, path))
    page.get_by_label(re.compile("Email", re.I)).fill(email)
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()


def _accessible_on_both(page, context: str) -> None:
    assert_accessible(page, context=f"{context} (desktop)")
    page.set_viewport_size(PHONE)
    assert_accessible(page, context=f"{context} (375 px phone)")
    page.set_viewport_size(DESKTOP)


def test_an_organizer_adds_a_pass_a_customer_buys_it_books_a_date_and_the_gate_names_them(
    page, live_server, mu_park, artifacts
):
    page.set_viewport_size(DESKTOP)
    today = timezone.localdate()

    # The organizer adds a pass type sold as the season's ticket, booking dates of the park.
    _log_in(page, live_server, "manager@mu.example", "/control/")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Events", exact=True).click()
    nav.get_by_role("link", name="Season passes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Season passes")
    expect(page.get_by_text("No pass types yet.")).to_be_visible()
    _accessible_on_both(page, "pass types list, empty")
    page.get_by_role("button", name="Add a pass type").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a pass type")
    page.get_by_label("Name").fill("Season pass 2027")
    page.get_by_label("Sold as").select_option(label="Season 2027 · Season pass")
    page.get_by_label("Valid from").fill(today.isoformat())
    page.get_by_label("Valid until").fill((today + timezone.timedelta(days=90)).isoformat())
    page.get_by_label("Park day").check()
    page.get_by_label("Book a ticket for a chosen date").check()
    page.get_by_label("Price of a booking").fill("0")
    page.get_by_label("Maximum uses").fill("5")
    _accessible_on_both(page, "pass type form")
    page.get_by_role("button", name="Add the pass type").click()
    expect(page.get_by_text("Pass type “Season pass 2027” saved.")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("Season pass 2027"))).to_be_visible()
    _accessible_on_both(page, "pass types list")

    # A customer buys the pass in the shop, naming its holder.
    _log_in(page, live_server, "camille@mu.example")
    page.goto(_url(live_server, "/"))
    page.get_by_role("link", name="Season 2027").click()
    page.get_by_label("Number of “Season pass” tickets").fill("1")
    page.get_by_role("button", name="Reserve these tickets").click()
    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.get_by_label("Name", exact=True).fill("Camille Martin")
    page.get_by_role("button", name="Get my tickets").click()
    expect(page).to_have_url(re.compile(r"/orders/"))

    # It is in their account; they book today's park day with it.
    page.get_by_role("link", name="My passes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My passes")
    _accessible_on_both(page, "my passes")
    page.get_by_role("link", name="Season pass 2027").click()
    expect(page.get_by_text("0 so far, 5 left")).to_be_visible()
    _accessible_on_both(page, "a pass in the account")
    expect(page.get_by_label("Date to book")).to_contain_text("Park day · ")
    page.get_by_label("Date to book").select_option(index=0)
    page.get_by_role("button", name="Book this date").click()
    expect(page.get_by_text("Booked: your ticket is below and on its way by e-mail.")).to_be_visible()
    expect(page.get_by_text("1 so far, 4 left")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Park day"))).to_be_visible()
    page.screenshot(path=str(artifacts / "pass-booked.png"), full_page=True)
    _accessible_on_both(page, "a pass with a date booked")
    with schema_context(mu_park.schema_name):
        booking = PassBooking.objects.select_related("ticket").get()
        assert Pass.objects.get().holder_name == "Camille Martin"
        code = booking.ticket.code

    # The gate admits the booked ticket and shows whose it is.
    _log_in(page, live_server, "manager@mu.example", "/control/check-in/")
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in").click()
    result = page.get_by_role("status")
    expect(result.get_by_role("heading", name="Admitted")).to_be_visible()
    expect(result).to_contain_text("Camille Martin")
