"""An organizer finds an order by the buyer's name in the control panel's orders, opens it,
refunds the buyer's second ticket (chosen, then confirmed), sees the success message and the
refund in the order's history, and the buyer gets the refund e-mail. The list and the order
page pass axe (WCAG 2 A/AA) on a desktop and on a 375 px phone."""

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
from apps.sales.models import Order, Ticket
from apps.sales.services.orders import OrderLine, order_create
from apps.tenancy import services
from tests.e2e.accessibility import assert_accessible

pytestmark = pytest.mark.e2e
PASSWORD = "a long pass phrase"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def nu_park(fresh_organization):
    """Nu park with a show next week; Noor bought two seats at its box office (cash), another
    buyer one; and its manager."""
    organization = fresh_organization(name="Nu parks", slug="nu-parks")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Nu park", slug="nu-park", currency="EUR", country="NL")
        manager = user_create(
            email="manager@nu.example", password=PASSWORD, full_name="Nina Manager", email_verified=True
        )
        operator_link(operator=manager, organizers=[park])
        box = park.distributions.get(kind="box_office")
        location = events.location_create(
            organizer=park, name="Nu hall", address="Parkweg 3", city="Utrecht", country="NL"
        )
        event = events.event_create(organizer=park, location=location, name="Nu show", distributions=[box])
        start = timezone.now() + timezone.timedelta(days=7)
        day = events.event_date_create(event=event, start=start, end=start + timezone.timedelta(hours=2))
        seat = events.ticket_type_create(event=event, event_date=day, name="Seat", price=Decimal("12.50"))
        events.event_publish(event=event)
        orders = {}
        for name, email, quantity in (
            ("Noor Visser", "noor@example.com", 2),
            ("Sam de Boer", "sam@example.com", 1),
        ):
            orders[name] = order_create(
                distribution=box,
                lines=[OrderLine(ticket_type=seat, quantity=quantity)],
                email=email,
                buyer_name=name,
                payment_method=Order.PaymentMethod.CASH,
            )
        first, second = orders["Noor Visser"].tickets.order_by("pk")
        Ticket.objects.filter(pk=first.pk).update(attendee_name="Noor Visser")
        Ticket.objects.filter(pk=second.pk).update(attendee_name="Daan Visser")
    services.domain_add(organization=organization, domain="nu-park.localhost", organizer_slug="nu-park")
    return {"organization": organization, "order": orders["Noor Visser"], "tickets": (first, second)}


def _url(live_server, path: str) -> str:
    return f"http://nu-park.localhost:{live_server.url.rsplit(':', 1)[1]}{path}"


def _log_in(page, live_server):
    page.goto(_url(live_server, "/control/"))
    page.get_by_label(re.compile("Email", re.I)).fill("manager@nu.example")
    page.get_by_label(re.compile("Password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()


def _accessible_on_desktop_and_phone(page, what: str) -> None:
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, context=f"{what}, desktop")
    page.set_viewport_size(PHONE)
    assert_accessible(page, context=f"{what}, phone")
    page.set_viewport_size(DESKTOP)


def test_an_organizer_refunds_a_buyers_second_ticket(page, live_server, nu_park, artifacts):
    order = nu_park["order"]
    first, second = nu_park["tickets"]
    _log_in(page, live_server)
    page.goto(_url(live_server, "/control/orders/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Orders")
    expect(page.get_by_role("table")).to_contain_text("Sam de Boer")

    page.get_by_label("Search", exact=True).fill("noor visser")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 order", exact=True)).to_be_visible()
    expect(page.get_by_role("table")).not_to_contain_text("Sam de Boer")
    _accessible_on_desktop_and_phone(page, "the orders list")

    page.get_by_role("link", name=order.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.code}")
    tickets = page.get_by_role("table", name="The order's tickets")
    expect(tickets).to_contain_text("Daan Visser")
    expect(tickets).to_contain_text(second.code)
    _accessible_on_desktop_and_phone(page, "the order page")

    page.get_by_role("button", name="Refund…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refund order {order.code}")
    page.get_by_role("checkbox", name=re.compile(r"#1 Seat")).uncheck()
    expect(page.get_by_role("checkbox", name=re.compile(r"#2 Seat · Daan Visser"))).to_be_checked()
    _accessible_on_desktop_and_phone(page, "the refund form")
    page.get_by_role("button", name="Refund the chosen tickets…").click()

    expect(page.get_by_role("status")).to_contain_text("Refund 1 ticket, €12.50?")
    expect(page.get_by_role("status")).to_contain_text("Daan Visser")
    page.get_by_role("button", name="Confirm the refund").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order.code}")
    expect(page.locator(".message-success")).to_have_text(
        "1 ticket refunded (€12.50); the buyer is told by e-mail."
    )
    history = page.get_by_role("table", name="What happened to this order, oldest first")
    expect(history).to_contain_text("€12.50, tickets #2, given back at the counter")
    expect(history).to_contain_text("manager@nu.example")
    expect(history).to_contain_text("Refund e-mailed to the buyer")
    page.screenshot(path=str(artifacts / "order-refunded.png"), full_page=True)

    refund_mails = [m for m in mail.outbox if order.code in m.subject and "Refund" in m.subject]
    assert [m.to for m in refund_mails] == [["noor@example.com"]]
    assert "Daan Visser" in refund_mails[0].body
    assert "given back to you there" in refund_mails[0].body
    with schema_context(nu_park["organization"].schema_name):
        assert Ticket.objects.get(pk=second.pk).status == Ticket.Status.REFUNDED
        assert Ticket.objects.get(pk=first.pk).status == Ticket.Status.VALID
