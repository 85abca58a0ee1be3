"""A buyer asks for an invoice on their order page (company, address, VAT number) and
downloads the PDF, which the organizer issued with its legal details, the VAT line and the
first number of its sequence."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.events import services as events
from apps.organizers.services import organizer_create
from apps.sales.models import Invoice, Order
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.taxes import tax_rule_save
from apps.tenancy.models import Domain
from tests.pdfs import pdf_text

pytestmark = pytest.mark.e2e


@pytest.fixture
def theatre(fresh_organization):
    organization = fresh_organization(name="Théâtre", slug="theatre")
    with schema_context(organization.schema_name):
        organizer = organizer_create(
            name="Théâtre du Parc",
            slug="theatre",
            currency="EUR",
            country="FR",
            legal_name="Théâtre du Parc SAS",
            vat_number="FR40303265045",
        )
        organizer.address = "2 place du Parc\n69006 Lyon"
        organizer.save(update_fields=["address"])
        box_office = organizer.distributions.get(kind="box_office")
        location = events.location_create(
            organizer=organizer, name="Grande salle", address="2 place du Parc", city="Lyon", country="FR"
        )
        event = events.event_create(
            organizer=organizer, location=location, name="Le Cid", distributions=[box_office]
        )
        start = timezone.now() + timezone.timedelta(days=10)
        day = events.event_date_create(event=event, start=start, end=start + timezone.timedelta(hours=3))
        seat = events.ticket_type_create(
            event=event, event_date=day, name="Orchestre", price=Decimal("30.00")
        )
        events.event_publish(event=event)
        tax_rule_save(
            organizer=organizer, name="TVA", rate=Decimal("5.5"), price_includes_tax=True, ticket_types=[seat]
        )
        order = order_create(
            distribution=box_office,
            lines=[OrderLine(ticket_type=seat, quantity=2)],
            email="jeanne@example.com",
            buyer_name="Jeanne Martin",
            payment_method=Order.PaymentMethod.CASH,
        )
    Domain.objects.filter(domain="theatre.localhost").update(organizer_slug="theatre")
    return organization, order


def test_a_buyer_asks_for_an_invoice_and_downloads_the_pdf(page, live_server, theatre, artifacts):
    organization, order = theatre
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://theatre.localhost:{port}/orders/{order.code}/{order.secret}/")
    expect(page.get_by_role("table", name="Taxes")).to_contain_text("TVA 5.5 %")

    page.get_by_role("link", name="Ask for an invoice (company, address, VAT number)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for an invoice")
    page.get_by_label("Company").fill("Acme SARL")
    page.get_by_label("Address").fill("3 rue de la Paix\n75002 Paris")
    page.get_by_label("Country").select_option("FR")
    page.get_by_label("VAT number").fill("FR00000000000")
    page.get_by_role("button", name="Get the invoice").click()
    expect(page.locator(".field-error")).to_contain_text("not a valid VAT number")
    page.get_by_label("VAT number").fill("FR 40303265045")
    page.get_by_role("button", name="Get the invoice").click()

    expect(page).to_have_url(re.compile(rf"/orders/{order.code}/[\w-]+/$"))
    expect(page.get_by_text("Invoice THEATRE-000001 is ready.")).to_be_visible()
    page.screenshot(path=str(artifacts / "buyer-invoice-order.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download invoice THEATRE-000001 (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    text = pdf_text(pdf)
    assert "Invoice THEATRE-000001" in text
    assert "Théâtre du Parc SAS" in text
    assert "Acme SARL" in text
    assert "VAT number: FR40303265045" in text
    assert "TVA 5.5 % on 56.88 EUR" in text  # each 30.00 holds 28.44 net (rounded per ticket)
    assert "60.00 EUR" in text
    with schema_context(organization.schema_name):
        assert Invoice.objects.get().buyer_vat_number == "FR40303265045"
