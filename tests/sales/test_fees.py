"""Service fees per ticket: the most specific rule (event, organizer, organization) applies,
paid by the buyer as a line on top of the price, or absorbed by the organizer."""

from decimal import Decimal

import pytest

from apps.sales import services
from apps.sales.models import FeeRule, Order
from apps.sales.services import OrderLine
from tests.sales.helpers import shop_build

pytestmark = pytest.mark.usefixtures("in_alpha")


def _sell(shop, ticket_type=None, quantity=2):
    return services.order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=ticket_type or shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.CASH,
    )


def test_the_most_specific_rule_applies():
    shop = shop_build(capacity=50)
    FeeRule.objects.create(fixed=Decimal("5.00"))  # the organization's
    assert _sell(shop).fee_total == Decimal("10.00")

    FeeRule.objects.create(organizer=shop.organizer, fixed=Decimal("1.00"), percent=Decimal("10"))
    assert _sell(shop).fee_total == Decimal("4.00")  # 2 × (1.00 + 10 % of 10.00)

    FeeRule.objects.create(organizer=shop.organizer, event=shop.event, percent=Decimal("2.5"))
    order = _sell(shop)
    assert order.fee_total == Decimal("0.50")  # 2 × 0.25
    assert order.total == Decimal("20.50")
    assert set(order.tickets.values_list("fee", flat=True)) == {Decimal("0.25")}


def test_an_absorbed_fee_is_not_on_the_buyers_bill():
    shop = shop_build(capacity=50)
    FeeRule.objects.create(organizer=shop.organizer, fixed=Decimal("0.99"), paid_by=FeeRule.PaidBy.ORGANIZER)

    order = _sell(shop)

    assert order.fee_total == Decimal("0.00")
    assert order.total == Decimal("20.00")
    assert set(order.tickets.values_list("absorbed_fee", flat=True)) == {Decimal("0.99")}


def test_free_tickets_pay_no_fee_and_fees_round_to_the_currency():
    yen = shop_build(capacity=50, currency="JPY", slug="yen")
    FeeRule.objects.create(organizer=yen.organizer, percent=Decimal("3.33"))
    priced = yen.date_ticket(0, price=Decimal("1000"))
    free = yen.date_ticket(0, price=Decimal("0"))

    assert _sell(yen, priced, quantity=1).fee_total == Decimal("33")
    assert _sell(yen, free, quantity=1).fee_total == Decimal("0")


def test_a_refund_gives_back_the_fee_the_buyer_paid():
    shop = shop_build(capacity=50)
    FeeRule.objects.create(organizer=shop.organizer, fixed=Decimal("1.50"))
    order = _sell(shop)

    services.order_refund(order_id=order.pk, ticket_ids=[order.tickets.first().pk])

    from apps.core.models import AuditLogEntry

    assert AuditLogEntry.objects.filter(action="order.refunded").get().data["amount"] == "11.50"
