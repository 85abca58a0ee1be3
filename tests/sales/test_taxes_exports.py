"""Exports carry the tax lines: each order's tax and its invoice number, each ticket's tax
name, rate and amount (as sold)."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.organizers.services import organizer_update
from apps.sales.models import Order
from apps.sales.selectors.exports import orders_table, tickets_table
from apps.sales.selectors.figures import figures_scope, period_of_last
from apps.sales.selectors.ledger import sales_report
from apps.sales.services.invoices import invoice_issue
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.taxes import tax_rule_save
from tests.factories import OperatorFactory
from tests.sales.helpers import shop_build


@pytest.mark.usefixtures("in_alpha")
def test_the_orders_and_tickets_exports_show_the_taxes_and_invoice():
    shop = shop_build(capacity=20, slug="exported")
    organizer_update(organizer=shop.organizer, address="1 rue\n69001 Lyon")
    tax_rule_save(
        organizer=shop.organizer,
        name="TVA",
        rate=Decimal("20"),
        price_includes_tax=False,
        ticket_types=[shop.day_ticket],
    )
    taxed = order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)],
        email="a@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )
    untaxed = order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=shop.pass_ticket, quantity=1)],
        email="b@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )
    invoice = invoice_issue(order_id=taxed.pk, address="2 rue\n75001 Paris", country="FR")
    admin = OperatorFactory(email="boss@example.com", is_admin=True)

    orders = orders_table(admin)
    rows = {row[0]: dict(zip(orders.header, row, strict=True)) for row in orders.rows}
    assert (rows[taxed.code]["Total"], rows[taxed.code]["Of which taxes"]) == (
        Decimal("24.00"),
        Decimal("4.00"),
    )
    assert rows[taxed.code]["Invoice"] == invoice.number
    assert (rows[untaxed.code]["Of which taxes"], rows[untaxed.code]["Invoice"]) == (Decimal("0.00"), "")

    tickets = tickets_table(admin)
    by_order = {}
    for row in tickets.rows:
        cells = dict(zip(tickets.header, row, strict=True))
        by_order.setdefault(cells["Order"], []).append(cells)
    assert {(c["Price"], c["Tax"], c["Tax rate (%)"], c["Tax amount"]) for c in by_order[taxed.code]} == {
        (Decimal("12.00"), "TVA", Decimal("20"), Decimal("2.00"))
    }
    assert [c["Tax amount"] for c in by_order[untaxed.code]] == [Decimal("0.00")]


@pytest.mark.usefixtures("in_alpha")
def test_the_sales_report_sums_the_taxes_by_day_ticket_type_and_channel():
    shop = shop_build(capacity=20, slug="reported")
    tax_rule_save(
        organizer=shop.organizer,
        name="TVA",
        rate=Decimal("20"),
        price_includes_tax=True,
        ticket_types=[shop.day_ticket],
    )
    for ticket_type, quantity in ((shop.day_ticket, 3), (shop.pass_ticket, 1)):
        order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=ticket_type, quantity=quantity)],
            email="a@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )
    admin = OperatorFactory(email="boss@example.com", is_admin=True)

    report = sales_report(
        figures_scope(admin, shop.organizer), period_of_last(7, ZoneInfo("Europe/Paris")), "EUR"
    )

    assert report.total.taxes == Decimal("5.01")  # 3 × (10.00 − 8.33)
    assert sum(row.taxes for row in report.days) == report.total.taxes
    assert sum(row.taxes for row in report.channels) == report.total.taxes
    assert {row.label.split(" – ")[-1]: row.taxes for row in report.ticket_types} == {
        "Standard": Decimal("5.01"),
        "Pass": Decimal("0.00"),
    }
