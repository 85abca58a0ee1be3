"""Tickets reach the buyer once: a PDF (a page per ticket) by e-mail, and a secret order link."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from apps.sales.models import Order
from apps.sales.services.confirmations import order_confirmation_send
from apps.sales.services.orders import OrderLine, order_cancel, order_create, order_mark_paid
from apps.sales.tickets import tickets_pdf
from tests.pdfs import pdf_text
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA, BETA


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _sell(shop, quantity=2, method=Order.PaymentMethod.CASH, distribution=None):
    return order_create(
        distribution=distribution or shop.box_office,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        buyer_name="Jeanne Buyer",
        payment_method=method,
    )


def test_a_paid_order_mails_its_tickets_once_with_a_pdf_page_each(
    in_alpha, django_capture_on_commit_callbacks
):
    shop = shop_build(capacity=10)

    with django_capture_on_commit_callbacks(execute=True):
        order = _sell(shop, quantity=3)
    again = order_confirmation_send(order_id=order.pk)

    assert again is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.com"]
    assert order.code in message.subject
    assert f"http://{ALPHA.host}/orders/{order.code}/{order.secret}/" in message.body
    ((name, pdf, mimetype),) = message.attachments
    assert (name, mimetype) == (f"tickets-{order.code}.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) == 3


def test_a_pending_order_mails_nothing_until_paid_and_then_once(in_alpha, django_capture_on_commit_callbacks):
    shop = shop_build(capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        order = _sell(shop, method=Order.PaymentMethod.STRIPE, distribution=shop.online)
    assert mail.outbox == []

    for _notice in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            order_mark_paid(order_id=order.pk)

    assert len(mail.outbox) == 1


def _orders_start_over():
    """What an organization dropped and recreated under the same schema name looks like to
    its orders: no rows, ids from 1 again (TRUNCATE is transactional: the test rolls it back)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no trigger events may be pending
        cursor.execute("TRUNCATE sales_order RESTART IDENTITY CASCADE")


def test_an_order_id_used_again_after_its_organization_was_recreated_still_mails_its_tickets(
    in_alpha, django_capture_on_commit_callbacks
):
    shop = shop_build(capacity=10)
    _orders_start_over()
    with django_capture_on_commit_callbacks(execute=True):
        first = _sell(shop, quantity=1)
    _orders_start_over()

    with django_capture_on_commit_callbacks(execute=True):
        second = _sell(shop, quantity=1)

    assert second.pk == first.pk
    assert [message.subject for message in mail.outbox] == [
        f"Your tickets from {shop.organizer.name} (order {first.code})",
        f"Your tickets from {shop.organizer.name} (order {second.code})",
    ]


def test_the_order_link_shows_the_tickets_only_with_its_secret(in_alpha):
    shop = shop_build(capacity=10)
    order = _sell(shop, quantity=2)
    codes = list(order.tickets.values_list("code", flat=True))
    client = Client()

    page = client.get(f"/orders/{order.code}/{order.secret}/", HTTP_HOST=ALPHA.host)
    wrong_secret = order.secret[:-1] + ("y" if order.secret.endswith("x") else "x")  # never the right one
    wrong = client.get(f"/orders/{order.code}/{wrong_secret}/", HTTP_HOST=ALPHA.host)
    pdf = client.get(f"/orders/{order.code}/{order.secret}/tickets.pdf", HTTP_HOST=ALPHA.host)
    elsewhere = client.get(f"/orders/{order.code}/{order.secret}/", HTTP_HOST=BETA.host)

    assert page.status_code == 200
    body = page.content.decode()
    assert all(code in body for code in codes)
    assert body.count("<svg") >= 2
    assert wrong.status_code == 404
    assert elsewhere.status_code == 404
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert _pages(pdf.content) == 2


def test_the_pdf_ticket_shows_the_price_with_the_currencys_decimals(in_alpha):
    shop = shop_build(capacity=10)
    order = _sell(shop, quantity=1)  # a ticket at 10.00 EUR, stored with three decimals

    lines = pdf_text(tickets_pdf(order))

    assert "Standard — 10.00 EUR" in lines
    assert not any("10.000" in line for line in lines)


def test_the_pdf_ticket_of_a_zero_decimal_currency_in_french(in_alpha):
    shop = shop_build(capacity=10, currency="JPY")
    ticket_type = shop.date_ticket(0, price=Decimal("1500"))
    order = order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type, quantity=1)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )

    with translation.override("fr"):
        lines = pdf_text(tickets_pdf(order))

    assert "Day 1 — 1 500 JPY" in lines  # French grouping (the PDF draws the no-break space as one)


def test_a_cancelled_order_has_no_pdf_and_shows_no_codes(in_alpha):
    shop = shop_build(capacity=10)
    order = _sell(shop)
    order_cancel(order_id=order.pk)
    code = order.tickets.first().code

    page = Client().get(f"/orders/{order.code}/{order.secret}/", HTTP_HOST=ALPHA.host)
    pdf = Client().get(f"/orders/{order.code}/{order.secret}/tickets.pdf", HTTP_HOST=ALPHA.host)

    assert page.status_code == 200
    assert code not in page.content.decode()
    assert pdf.status_code == 404


@pytest.mark.usefixtures("organizations")
def test_expiry_runs_per_schema_from_the_beat_entry(django_capture_on_commit_callbacks):
    from apps.sales.tasks import expire_orders_everywhere

    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=1)
        order = _sell(shop, quantity=1, method=Order.PaymentMethod.STRIPE, distribution=shop.online)
        Order.objects.filter(pk=order.pk).update(expires_at=order.created_at)

    assert expire_orders_everywhere.delay(schema_name="public").get() >= 2

    with schema_context(ALPHA.schema_name):
        order.refresh_from_db()
        assert order.status == Order.Status.EXPIRED
