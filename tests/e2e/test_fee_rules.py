"""An operator sets a service fee on one event in the control panel (after a form error), and
the fee line shows in that event's cart on the storefront; the other event has no fee."""

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
from apps.sales.models import FeeRule, Order
from apps.tenancy import services
from tests.sales.helpers import payments_connect

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"


@pytest.fixture
def lambda_park(fresh_organization):
    """Lambda park (EUR) with two published events in its shop, a ticket at 10.00 each, and
    its manager, who configures it."""
    organization = fresh_organization(name="Lambda parks", slug="lambda")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Lambda park", slug="lambda-park", currency="EUR", country="NL")
        manager = user_create(
            email="manager@lambda.example", password=PASSWORD, full_name="Lou Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        payments_connect(park)
        shop = park.distributions.get(kind="online_shop")
        location = events.location_create(
            organizer=park, name="Lambda park", address="Parkweg 1", city="Utrecht", country="NL"
        )
        start = timezone.now() + timezone.timedelta(days=20)
        for name in ("Open day", "Night tour"):
            event = events.event_create(organizer=park, location=location, name=name, distributions=[shop])
            day = events.event_date_create(
                event=event, start=start, end=start + timezone.timedelta(hours=4), capacity=50
            )
            events.ticket_type_create(event=event, event_date=day, name="Entry", price=Decimal("10.00"))
            events.event_publish(event=event)
    services.domain_add(
        organization=organization, domain="lambda-park.localhost", organizer_slug="lambda-park"
    )
    return organization


def _url(live_server, path: str) -> str:
    return f"http://lambda-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def test_an_operator_sets_an_event_fee_and_the_cart_shows_it(page, live_server, lambda_park, artifacts):
    page.goto(_url(live_server, "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@lambda.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Events", exact=True).click()  # the menu's group
    nav.get_by_role("link", name="Service fees").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service fees")
    expect(page.get_by_text("No fee rules yet")).to_be_visible()
    page.get_by_role("button", name="Add a fee rule").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Add a fee rule")
    page.get_by_label("One event").check()
    page.get_by_label("Event", exact=True).select_option(label="Open day")
    page.get_by_label("Name").fill("Open day fee")
    page.get_by_label("Fixed amount per ticket (EUR)").fill("0.50")
    page.get_by_label("Percent of the ticket price").fill("150")
    page.get_by_role("button", name="Add the fee rule").click()

    # The error summary links to the field; the field says what is wrong.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The rule was not saved")
    summary.get_by_role("link", name=re.compile("Percent of the ticket price")).click()
    expect(page.get_by_label("Percent of the ticket price")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "fee-rule-error.png"), full_page=True)
    page.get_by_label("Percent of the ticket price").fill("5")
    page.get_by_label("Percent of the ticket price").press("Enter")  # submits from the keyboard

    expect(page.get_by_role("status")).to_contain_text("Fee rule for the event “Open day” saved.")
    rule_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("Event: Open day"))
    )
    expect(rule_row).to_contain_text("€0.50")
    expect(rule_row).to_contain_text("5 %")
    open_day = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Open day", exact=True))
    night_tour = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Night tour", exact=True)
    )
    expect(open_day).to_contain_text("“Open day fee”, the event's own")
    expect(open_day).to_contain_text("€10.00 → the buyer pays €11.00, fee €1.00")
    expect(night_tour).to_contain_text("No fee")
    page.screenshot(path=str(artifacts / "fee-rules.png"), full_page=True)

    page.goto(_url(live_server, "/"))
    page.get_by_role("link", name="Open day").click()
    page.get_by_label("Number of “Entry” tickets").fill("1")
    page.get_by_role("button", name="Reserve these tickets").click()

    expect(page).to_have_url(re.compile(r"/cart/$"))
    fees = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Service fees"))
    total = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Total"))
    expect(fees).to_contain_text("€1.00")
    expect(total).to_contain_text("€11.00")
    page.screenshot(path=str(artifacts / "fee-rule-cart.png"), full_page=True)

    with schema_context(lambda_park.schema_name):
        rule = FeeRule.objects.get()
        assert (rule.event.name, rule.fixed, rule.percent, rule.paid_by) == (
            "Open day",
            Decimal("0.50"),
            Decimal("5.00"),
            FeeRule.PaidBy.BUYER,
        )
        order = Order.objects.get()
        assert (order.subtotal, order.fee_total, order.total) == (
            Decimal("10.00"),
            Decimal("1.00"),
            Decimal("11.00"),
        )
