"""Every amount a buyer or an operator reads is written by apps.core.money.format_money: the
currency's exponent (yen have none, euros two) and the reader's locale ("12,00 €" in
French, "€12.00" in English) — on the event page, cart, order page, e-mail, PDF and box office."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from apps.sales.models import Order
from apps.sales.services.confirmations import order_confirmation_send
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.tickets import tickets_pdf
from apps.tenancy import services as tenancy
from tests.pdfs import pdf_text
from tests.sales.helpers import payments_connect, shop_build
from tests.tenants import ALPHA

NBSP = "\xa0"


@pytest.fixture
def shops(alpha):
    with schema_context(ALPHA.schema_name):
        euro = shop_build(slug="euro", currency="EUR")
        yen = shop_build(slug="yen", currency="JPY")
        for shop, price in ((euro, Decimal("12.00")), (yen, Decimal("1500"))):
            payments_connect(shop.organizer)
            shop.day_ticket.price = price
            shop.day_ticket.save(update_fields=["price"])
    tenancy.domain_add(organization=alpha, domain="euro.localhost", organizer_slug="euro")
    tenancy.domain_add(organization=alpha, domain="yen.localhost", organizer_slug="yen")
    return {"euro": euro, "yen": yen}


def _reader(host, language):
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(
    ("language", "euros", "yen"),
    [("en", "€12.00", "¥1,500"), ("fr", f"12,00{NBSP}€", f"1{NBSP}500{NBSP}JPY")],
)
def test_the_event_page_cart_and_order_page_write_amounts_in_the_readers_locale(shops, language, euros, yen):
    euro, jpy = shops["euro"], shops["yen"]
    buyer = _reader("euro.localhost", language)

    event_page = buyer.get(f"/events/{euro.event.pk}/").content.decode()
    buyer.post(f"/events/{euro.event.pk}/", {f"qty-{euro.day_ticket.pk}-{euro.dates[0].pk}": "1"})
    cart = buyer.get("/cart/").content.decode()
    yen_page = _reader("yen.localhost", language).get(f"/events/{jpy.event.pk}/").content.decode()

    assert euros in event_page
    assert euros in cart
    assert "12.000" not in event_page
    assert "12,000" not in event_page
    assert yen in yen_page
    assert "1500.00" not in yen_page
    assert "1 500,00" not in yen_page


def test_the_e_mail_and_the_pdf_write_amounts_in_the_buyers_language(shops):
    euro = shops["euro"]
    with schema_context(ALPHA.schema_name):
        order = order_create(
            distribution=euro.box_office,
            lines=[OrderLine(ticket_type=euro.day_ticket, quantity=1)],
            email="acheteur@example.com",
            payment_method=Order.PaymentMethod.CASH,
            language="fr",
        )
        order_confirmation_send(order_id=order.pk)
        with translation.override("fr"):
            pdf = " ".join(pdf_text(tickets_pdf(Order.objects.get(pk=order.pk))))
        with translation.override("en"):
            english_pdf = " ".join(pdf_text(tickets_pdf(Order.objects.get(pk=order.pk))))

    (message,) = mail.outbox
    assert "12,00 EUR" in message.body  # e-mails and PDFs write the code after the number
    assert "12,00 EUR" in pdf
    assert "12.00 EUR" in english_pdf
    assert "12.000" not in message.body + pdf


def test_the_box_office_receipt_writes_the_total_in_the_operators_locale(shops, alpha):
    from tests.factories import OperatorFactory, clients_open

    euro = shops["euro"]
    with schema_context(ALPHA.schema_name):
        clients_open(euro.organizer, organization=alpha)
        admin = OperatorFactory(email="admin@example.com", is_admin=True)
        order = order_create(
            distribution=euro.box_office,
            lines=[OrderLine(ticket_type=euro.day_ticket, quantity=1)],
            email="walk-in@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )
    client = _reader(ALPHA.host, "fr")
    with schema_context(ALPHA.schema_name):
        client.force_login(admin)

    receipt = client.get(f"/control/box-office/orders/{order.pk}/").content.decode()

    assert f"12,00{NBSP}€" in receipt
