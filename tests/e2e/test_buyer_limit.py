"""A buyer who already has tickets for an event limited per buyer tries to buy more than it
allows: the checkout says how many they may still buy, and the page stays accessible."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.events import services as events
from apps.organizers.services import organizer_create
from apps.sales.models import Order
from apps.sales.services.orders import OrderLine, order_create
from apps.tenancy.models import Domain
from tests.e2e.accessibility import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def limited_park(fresh_organization):
    organization = fresh_organization(name="Limit park", slug="limitpark")
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Limit park", slug="limitpark", currency="EUR", country="FR")
        shop = organizer.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=organizer, name="Limit park", address="2 allée", city="Lyon", country="FR"
        )
        event = events.event_create(
            organizer=organizer,
            location=location,
            name="Open day",
            distributions=[shop],
            max_tickets_per_buyer=4,
        )
        start = timezone.now() + timezone.timedelta(days=20)
        day = events.event_date_create(
            event=event, start=start, end=start + timezone.timedelta(hours=4), capacity=50
        )
        entry = events.ticket_type_create(event=event, event_date=day, name="Entry", price=Decimal("0"))
        events.event_publish(event=event)
        order_create(  # what the buyer already has
            distribution=shop,
            lines=[OrderLine(ticket_type=entry, quantity=3)],
            email="jeanne@example.com",
            payment_method=Order.PaymentMethod.FREE,
        )
    Domain.objects.filter(domain="limitpark.localhost").update(organizer_slug="limitpark")
    return organization


def test_a_buyer_past_the_limit_is_told_how_many_they_may_still_buy(
    page, live_server, limited_park, artifacts
):
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://limitpark.localhost:{port}/")

    page.get_by_role("link", name="Open day").click()
    expect(page.get_by_text("At most 4 tickets per buyer")).to_be_visible()
    assert_accessible(page, context="event page with its limit per buyer")
    page.get_by_label("Number of “Entry” tickets").fill("2")
    page.get_by_role("button", name="Reserve these tickets").click()

    expect(page).to_have_url(re.compile(r"/cart/$"))
    page.get_by_label("E-mail address").fill("Jeanne@Example.com")
    page.get_by_role("button", name="Get my tickets").click()

    refusal = "You can buy at most 4 tickets for “Open day”. You already have 3: you may still buy 1."
    expect(page.get_by_text(refusal)).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "shop-buyer-limit.png"), full_page=True)
    assert_accessible(page, context="checkout refused past the limit per buyer")
    with schema_context(limited_park.schema_name):
        assert Order.objects.filter(status=Order.Status.PAID).count() == 1
