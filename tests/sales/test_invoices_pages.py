"""Invoices on pages: the buyer asks for one on the order page and downloads its PDF; the
control panel lists, downloads and issues them, per role, and twin organizations (same ids,
same order of events) never see each other's."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.organizers.services import organizer_update
from apps.sales.models import Invoice, Order
from apps.sales.services.invoices import invoice_issue
from apps.sales.services.orders import OrderLine, order_create
from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    SELLER,
    programme_build,
    role_matrix,
    twin_sequences,
)
from tests.pdfs import pdf_text
from tests.sales.roles import HOST, OUTSIDERS, client_for, expect
from tests.tenants import ALPHA, BETA

BUYER = {"company": "Acme BV", "address": "Kade 1\n3511 Utrecht", "country": "NL", "vat_number": ""}


def _sell(team, programme, marker):
    organizer_update(organizer=team.a, legal_name=f"{marker}-A Legal BV", address="Parkweg 1\n3500 Utrecht")
    events.event_publish(event=programme.concert)
    return order_create(
        distribution=team.a_box,
        lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=2)],
        email="buyer@example.com",
        buyer_name=f"{marker} Buyer",
        payment_method=Order.PaymentMethod.CASH,
    )


@pytest.fixture
def sold(world):
    """alpha's paid order of A (box office) with its invoice and one without, and beta's
    twins with the same ids."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_order", "sales_invoice"))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            invoiced = _sell(team, programme, team.marker)
            invoice = invoice_issue(order_id=invoiced.pk, **{**BUYER, "company": f"{team.marker} Acme"})
            made[schema_name] = {
                "invoiced": invoiced,
                "invoice": invoice,
                "open": _sell(team, programme, team.marker),
            }
    assert made[ALPHA.schema_name]["invoice"].pk == made[BETA.schema_name]["invoice"].pk
    assert made[ALPHA.schema_name]["open"].pk == made[BETA.schema_name]["open"].pk
    return made[ALPHA.schema_name] | {"beta": made[BETA.schema_name]}


LIST = {ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 200, **OUTSIDERS}


@role_matrix(LIST)
def test_the_invoice_list(world, sold, role, expected):
    response = client_for(world, role).get("/control/invoices/")

    expect(response, expected)
    body = response.content.decode()
    assert "BETA" not in body
    assert (sold["invoice"].number in body) == (role in (ADMIN, CONFIGURER, SELLER))
    assert ("ALPHA Acme" in body) == (role in (ADMIN, CONFIGURER, SELLER))


DOWNLOAD = {ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404, **OUTSIDERS}


@role_matrix(DOWNLOAD)
def test_downloading_an_invoice_from_the_control_panel(world, sold, role, expected):
    response = client_for(world, role).get(f"/control/invoices/{sold['invoice'].pk}/invoice.pdf")

    expect(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "ALPHA-A Legal BV" in text
        assert "ALPHA Acme" in text
        assert not any("BETA" in line for line in text)  # the twin with the same id stays in beta


ISSUE = {ADMIN: 302, CONFIGURER: 302, SELLER: 302, OTHER: 404, **OUTSIDERS}


@role_matrix(ISSUE)
def test_issuing_an_invoice_from_the_control_panel(world, sold, role, expected):
    order = sold["open"]
    client = client_for(world, role)

    page = client.get(f"/control/orders/{order.pk}/invoice/")
    response = client.post(f"/control/orders/{order.pk}/invoice/", {**BUYER, "company": "Desk Co"})

    expect(page, 200 if expected == 302 else expected)
    expect(response, expected)
    with schema_context(ALPHA.schema_name):
        issued = Invoice.objects.filter(order=order).first()
    assert (issued is not None) == (expected == 302)
    if issued:
        assert (issued.buyer_company, issued.sequence) == ("Desk Co", 2)
    with schema_context(BETA.schema_name):
        assert not Invoice.objects.filter(order_id=order.pk).exists()


def test_an_invoiced_order_leads_the_control_panel_to_its_pdf(world, sold):
    response = client_for(world, ADMIN).get(f"/control/orders/{sold['invoiced'].pk}/invoice/")

    assert response.status_code == 302
    assert response["Location"] == f"/control/invoices/{sold['invoice'].pk}/invoice.pdf"


def test_a_bad_vat_number_in_the_control_panel_is_a_form_error(world, sold):
    response = client_for(world, CONFIGURER).post(
        f"/control/orders/{sold['open'].pk}/invoice/", {**BUYER, "vat_number": "NL123"}
    )

    assert response.status_code == 400
    assert "not a valid VAT number" in response.content.decode()


# --- the buyer -------------------------------------------------------------------------------


def _buyer_url(order, tail=""):
    return f"/orders/{order.code}/{order.secret}/{tail}"


def test_a_buyer_asks_for_an_invoice_and_downloads_it(world, sold):
    order = sold["open"]
    buyer = Client(HTTP_HOST=HOST)
    page = buyer.get(_buyer_url(order)).content.decode()
    assert _buyer_url(order, "invoice/") in page

    form = buyer.get(_buyer_url(order, "invoice/"))
    assert form.status_code == 200
    assert 'value="ALPHA Buyer"' in form.content.decode()  # the order's name, to change or keep
    refused = buyer.post(_buyer_url(order, "invoice/"), {**BUYER, "address": ""})
    assert refused.status_code == 400
    done = buyer.post(_buyer_url(order, "invoice/"), {**BUYER, "vat_number": "nl 004495445 b01"})
    assert done.status_code == 302
    assert done["Location"] == _buyer_url(order)

    page = buyer.get(_buyer_url(order)).content.decode()
    with schema_context(ALPHA.schema_name):
        invoice = Invoice.objects.get(order=order)
    assert invoice.buyer_vat_number == "NL004495445B01"
    assert invoice.number in page
    pdf = buyer.get(_buyer_url(order, "invoice.pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert f"Invoice {invoice.number}" in pdf_text(pdf.content)
    again = buyer.post(_buyer_url(order, "invoice/"), BUYER)  # one invoice per order
    assert again.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert Invoice.objects.filter(order=order).count() == 1


def test_a_wrong_secret_or_another_organizations_order_is_not_found(world, sold):
    buyer = Client(HTTP_HOST=HOST)
    order = sold["invoiced"]

    assert buyer.get(f"/orders/{order.code}/wrong/invoice/").status_code == 404
    assert buyer.get(f"/orders/{order.code}/wrong/invoice.pdf").status_code == 404
    twin = sold["beta"]["invoiced"]
    assert buyer.get(_buyer_url(twin, "invoice.pdf")).status_code == 404  # beta's link on alpha's host
    assert buyer.get(_buyer_url(sold["open"], "invoice.pdf")).status_code == 404  # none issued yet


def test_an_organizer_without_legal_details_tells_the_buyer_so(world, sold):
    with schema_context(ALPHA.schema_name):
        organizer_update(organizer=world.team.a, address="")
    buyer = Client(HTTP_HOST=HOST)

    response = buyer.get(_buyer_url(sold["open"], "invoice/"))
    assert response.status_code == 200
    assert "has not given its legal details" in response.content.decode()
    assert buyer.post(_buyer_url(sold["open"], "invoice/"), BUYER).status_code == 400


def test_the_organizer_edit_page_takes_the_registered_address(world):
    response = client_for(world, CONFIGURER).post(
        f"/control/organizers/{world.team.a.pk}/edit/",
        {
            "name": "ALPHA-A",
            "legal_name": "ALPHA-A BV",
            "address": "Parkweg 1\n3500 Utrecht",
            "country": "NL",
            "currency": "EUR",
            "primary_color": "#123456",
            "accent_color": "#654321",
        },
    )

    assert response.status_code == 302, response.content.decode()[:800]
    with schema_context(ALPHA.schema_name):
        world.team.a.refresh_from_db()
    assert world.team.a.address == "Parkweg 1\n3500 Utrecht"


def test_the_box_office_receipt_offers_to_issue_the_invoice_then_its_pdf(world, sold):
    client = client_for(world, SELLER)

    open_receipt = client.get(f"/control/box-office/orders/{sold['open'].pk}/").content.decode()
    invoiced_receipt = client.get(f"/control/box-office/orders/{sold['invoiced'].pk}/").content.decode()

    assert f'href="/control/orders/{sold["open"].pk}/invoice/"' in open_receipt
    assert f'href="/control/invoices/{sold["invoice"].pk}/invoice.pdf"' in invoiced_receipt
    assert f"Download invoice {sold['invoice'].number} (PDF)" in invoiced_receipt
