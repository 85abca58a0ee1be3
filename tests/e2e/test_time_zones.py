"""A London theatre's 19:30 show reads 19:30 (Europe/London) in the browser: on the
storefront, and at the gate, where a ticket of another day is refused and admitted anyway."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.services import user_create
from apps.events import services as events
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from apps.sales.models import CheckIn, Order
from apps.sales.services.orders import OrderLine, order_create
from apps.tenancy import services
from tests.sales.helpers import payments_connect

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
# 19:30 on Sunday 22 December 2030 in London (GMT): 19:30 UTC, 20:30 in Amsterdam.
SHOW = dt.datetime(2030, 12, 22, 19, 30, tzinfo=dt.UTC)


@pytest.fixture
def theatre(fresh_organization):
    organization = fresh_organization(name="West End", slug="westend")
    with schema_context(organization.schema_name):
        london = organizer_create(name="Globe", slug="globe", currency="GBP", country="GB")
        online, box = london.distributions.order_by("pk")
        stage = events.location_create(
            organizer=london, name="Globe stage", address="21 New Globe Walk", city="London", country="GB"
        )
        hamlet = events.event_create(
            organizer=london, location=stage, name="Hamlet", distributions=[online, box]
        )
        show = events.event_date_create(event=hamlet, start=SHOW, end=SHOW + dt.timedelta(hours=3))
        stalls = events.ticket_type_create(
            event=hamlet, event_date=show, name="Stalls", price=Decimal("30.00")
        )
        events.event_publish(event=hamlet)
        payments_connect(london)
        usher = user_create(
            email="usher@globe.example", password=PASSWORD, full_name="Ursula Usher", email_verified=True
        )
        operator_link(operator=usher, organizers=[london])
        order = order_create(
            distribution=box,
            lines=[OrderLine(ticket_type=stalls, quantity=1)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )
        code = order.tickets.get().code
    services.domain_add(organization=organization, domain="globe.localhost", organizer_slug="globe")
    return organization, code


def test_the_london_show_reads_1930_london_time_in_the_shop_and_at_the_gate(
    page, live_server, theatre, artifacts
):
    organization, code = theatre
    port = live_server.url.rsplit(":", 1)[1]

    page.goto(f"http://globe.localhost:{port}/")
    expect(page.get_by_text("Sunday 22 December 2030, 19:30 (Europe/London)")).to_be_visible()
    page.get_by_role("link", name="Hamlet").click()
    expect(
        page.get_by_role("heading", level=2, name="Sunday 22 December 2030, 19:30 (Europe/London)")
    ).to_be_visible()
    expect(page.get_by_text("20:30")).to_have_count(0)
    page.screenshot(path=str(artifacts / "tz-event-page.png"), full_page=True)

    page.goto(f"http://globe.localhost:{port}/control/check-in/")
    page.get_by_label(re.compile("Email", re.I)).fill("usher@globe.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in")
    page.get_by_label("Date at this gate").select_option(
        label="Hamlet – Sun 22 Dec 2030, 19:30 (Europe/London)"
    )
    page.get_by_label("Date at this gate").select_option("")
    page.get_by_label("Ticket code").fill(code)
    page.get_by_role("button", name="Check in").click()

    result = page.get_by_role("status")
    expect(result).to_contain_text("Not admitted")
    expect(result).to_contain_text("Not today: this ticket is for 22 December 2030.")
    with schema_context(organization.schema_name):
        assert not CheckIn.objects.exists()
    page.get_by_role("button", name="Admit anyway").click()

    expect(result).to_contain_text("Admitted anyway: not the ticket’s day.")
    expect(result).to_contain_text("Sunday 22 December 2030, 19:30 (Europe/London)")
    page.screenshot(path=str(artifacts / "tz-check-in.png"), full_page=True)
    with schema_context(organization.schema_name):
        assert CheckIn.objects.count() == 1
