"""A customer gets tickets on funpark.localhost: event page, cart with its countdown,
checkout, the order page and its PDF tickets (a free event: no payment step)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.events import services as events
from apps.organizers.services import organizer_create
from apps.sales.models import DateStock, Order
from apps.tenancy.models import Domain

pytestmark = pytest.mark.e2e


@pytest.fixture
def funpark(fresh_organization):
    organization = fresh_organization(name="Fun park", slug="funpark")
    with schema_context(organization.schema_name):
        organizer = organizer_create(name="Fun park", slug="funpark", currency="EUR", country="FR")
        shop = organizer.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=organizer, name="Fun park", address="1 allée des Manèges", city="Lyon", country="FR"
        )
        event = events.event_create(
            organizer=organizer, location=location, name="Open day", distributions=[shop]
        )
        start = timezone.now() + timezone.timedelta(days=20)
        day = events.event_date_create(
            event=event, start=start, end=start + timezone.timedelta(hours=4), capacity=50
        )
        events.ticket_type_create(event=event, event_date=day, name="Entry", price=Decimal("0"))
        events.event_publish(event=event)
    Domain.objects.filter(domain="funpark.localhost").update(organizer_slug="funpark")
    return organization, day


def test_a_customer_gets_two_tickets_and_opens_the_pdf(page, live_server, funpark, artifacts):
    organization, day = funpark
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://funpark.localhost:{port}/")

    page.get_by_role("link", name="Open day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open day")
    page.get_by_label("Number of “Entry” tickets").fill("2")
    page.get_by_role("button", name="Reserve these tickets").click()

    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("Reserved for you until")).to_be_visible()
    expect(page.locator(".countdown-left")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    with schema_context(organization.schema_name):
        assert DateStock.objects.get(event_date=day).held == 2
    page.screenshot(path=str(artifacts / "shop-cart.png"), full_page=True)
    page.get_by_label("E-mail address").fill("jeanne@example.com")
    page.get_by_label("Name").fill("Jeanne Martin")
    page.get_by_role("button", name="Get my tickets").click()

    expect(page).to_have_url(re.compile(r"/orders/[A-Z0-9]+/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order")
    expect(page.locator("figure svg")).to_have_count(2)
    page.screenshot(path=str(artifacts / "shop-order.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the tickets (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 2

    with schema_context(organization.schema_name):
        order = Order.objects.get()
        assert (order.status, order.email) == (Order.Status.PAID, "jeanne@example.com")
        assert DateStock.objects.get(event_date=day).sold == 2
    assert [m.to for m in mail.outbox if "Your tickets" in m.subject] == [["jeanne@example.com"]]
