"""Invoices to buyers: issued once per paid order from the organizer's legal details, with
the tickets' taxes as sold; the buyer's VAT number checked; numbered without gaps per
organizer, even with many issuing at once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry
from apps.organizers.services import organizer_update
from apps.sales.exceptions import InvoiceRefused
from apps.sales.invoice_pdf import invoice_pdf
from apps.sales.models import FeeRule, Invoice, InvoiceCounter, Order
from apps.sales.services.invoices import invoice_issue
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.taxes import tax_rule_save
from tests.pdfs import pdf_text
from tests.sales.helpers import shop_build

BUYER = {"company": "Acme SARL", "address": "3 rue de la Paix\n75002 Paris", "country": "FR"}


def _invoicing_shop(slug="invoicing"):
    shop = shop_build(capacity=200, slug=slug)
    organizer_update(
        organizer=shop.organizer, address="1 quai du Rhône\n69002 Lyon", vat_number="FR40303265045"
    )
    shop.organizer.refresh_from_db()
    return shop


def _paid(shop, quantity=2, ticket_type=None, method=Order.PaymentMethod.CASH):
    return order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        buyer_name="Jeanne Buyer",
        payment_method=method,
    )


@pytest.mark.usefixtures("in_alpha")
def test_an_invoice_copies_the_sellers_and_buyers_details_and_the_taxes_as_sold():
    shop = _invoicing_shop()
    tax_rule_save(
        organizer=shop.organizer,
        name="TVA",
        rate=Decimal("5.5"),
        price_includes_tax=False,
        ticket_types=[shop.day_ticket],
    )
    FeeRule.objects.create(organizer=shop.organizer, fixed=Decimal("0.50"))
    order = _paid(shop, quantity=3)

    invoice = invoice_issue(order_id=order.pk, vat_number="fr 40303265045", **BUYER)

    assert (invoice.number, invoice.sequence) == ("INVOICING-000001", 1)
    assert (invoice.seller_name, invoice.seller_vat_number, str(invoice.seller_country)) == (
        "Shop SAS",
        "FR40303265045",
        "FR",
    )
    assert "69002 Lyon" in invoice.seller_address
    assert (invoice.buyer_company, invoice.buyer_name, invoice.buyer_vat_number) == (
        "Acme SARL",
        "Jeanne Buyer",
        "FR40303265045",
    )
    tickets, fees = invoice.lines.all()
    assert (tickets.quantity, tickets.unit_price, tickets.tax_rate) == (3, Decimal("10.55"), Decimal("5.5"))
    assert (tickets.net, tickets.tax, tickets.gross) == (Decimal("30.00"), Decimal("1.65"), Decimal("31.65"))
    assert (fees.description, fees.gross, fees.tax) == ("Service fees", Decimal("1.50"), Decimal("0.00"))
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (
        Decimal("31.50"),
        Decimal("1.65"),
        Decimal("33.15"),
    )
    assert invoice.total == order.total
    assert AuditLogEntry.objects.filter(action="invoice.issued", target_id=str(invoice.pk)).exists()

    text = pdf_text(invoice_pdf(invoice))
    assert "Invoice INVOICING-000001" in text
    assert "Shop SAS" in text
    assert "Acme SARL" in text
    assert "VAT number: FR40303265045" in text
    assert "TVA 5.5 % on 30.00 EUR" in text
    assert "33.15 EUR" in text


@pytest.mark.usefixtures("in_alpha")
def test_a_later_change_of_the_organizer_or_the_rule_leaves_the_invoice_as_issued():
    shop = _invoicing_shop()
    invoice = invoice_issue(order_id=_paid(shop).pk, **BUYER)

    organizer_update(organizer=shop.organizer, legal_name="Renamed SAS", address="Elsewhere")

    invoice = Invoice.objects.get(pk=invoice.pk)
    assert (invoice.seller_name, invoice.seller_address) == ("Shop SAS", "1 quai du Rhône\n69002 Lyon")
    assert "Shop SAS" in pdf_text(invoice_pdf(invoice))


@pytest.mark.usefixtures("in_alpha")
def test_one_invoice_per_order_and_only_for_paid_orders_of_organizers_with_legal_details():
    shop = _invoicing_shop()
    order = _paid(shop)
    first = invoice_issue(order_id=order.pk, **BUYER)
    with pytest.raises(InvoiceRefused, match=first.number):
        invoice_issue(order_id=order.pk, **BUYER)

    pending = order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.STRIPE,
    )
    with pytest.raises(InvoiceRefused, match="paid"):
        invoice_issue(order_id=pending.pk, **BUYER)

    bare = shop_build(capacity=10, slug="bare")  # a legal name, no address
    with pytest.raises(InvoiceRefused, match="legal name and address"):
        invoice_issue(order_id=_paid(bare).pk, **BUYER)
    assert Invoice.objects.count() == 1
    assert InvoiceCounter.objects.get(organizer=shop.organizer).last == 1  # refusals take no number


@pytest.mark.usefixtures("in_alpha")
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"vat_number": "FR00000000000"}, "vat_number"),
        ({"vat_number": "NOT-A-NUMBER"}, "vat_number"),
        ({"address": "  "}, "address"),
        ({"country": ""}, "country"),
    ],
)
def test_a_bad_vat_number_or_missing_address_is_refused_and_takes_no_number(fields, field):
    shop = _invoicing_shop()
    order = _paid(shop)

    with pytest.raises(ValidationError) as refused:
        invoice_issue(order_id=order.pk, **{**BUYER, **fields})

    assert field in refused.value.message_dict
    assert not Invoice.objects.exists()
    assert invoice_issue(order_id=order.pk, **BUYER).number == "INVOICING-000001"


@pytest.mark.usefixtures("in_alpha")
def test_each_organizer_numbers_its_own_invoices():
    one, two = _invoicing_shop("one"), _invoicing_shop("two")

    numbers = [invoice_issue(order_id=_paid(shop).pk, **BUYER).number for shop in (one, two, one, one, two)]

    assert numbers == ["ONE-000001", "TWO-000001", "ONE-000002", "ONE-000003", "TWO-000002"]


# --- many at once ----------------------------------------------------------------------------

ISSUERS = 24


@pytest.fixture
def race_organization(fresh_organization):
    return fresh_organization(name="Invoice race", slug="invoice-race")


def test_invoices_issued_at_once_are_numbered_without_gap_or_repeat(race_organization):
    with schema_context(race_organization.schema_name):
        shop = _invoicing_shop()
        orders = [_paid(shop, quantity=1).pk for _ in range(ISSUERS)]
        # Every fourth issuer's buyer gives a bad VAT number: refused, it must leave no gap.
        organizer_pk = shop.organizer.pk
    barrier = threading.Barrier(ISSUERS)

    def issue(i):
        try:
            connection.set_tenant(race_organization)
            barrier.wait(timeout=30)
            vat_number = "FR00000000000" if i % 4 == 0 else ""
            return invoice_issue(order_id=orders[i], vat_number=vat_number, **BUYER).sequence
        except ValidationError:
            return "refused"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test, with its reason
            return repr(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=ISSUERS) as pool:
        outcomes = list(pool.map(issue, range(ISSUERS)))

    refused = ISSUERS // 4
    assert outcomes.count("refused") == refused, outcomes
    sequences = sorted(o for o in outcomes if isinstance(o, int))
    assert sequences == list(range(1, ISSUERS - refused + 1)), outcomes
    with schema_context(race_organization.schema_name):
        stored = list(Invoice.objects.order_by("sequence").values_list("sequence", flat=True))
        assert stored == sequences
        assert InvoiceCounter.objects.get(organizer_id=organizer_pk).last == ISSUERS - refused
