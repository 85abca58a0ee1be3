"""A month of an organizer's sales, refunds and the platform's invoice for it: the report, the
ledger and the invoice agree to the cent (issue 14 §4). The organizer is in Paris; the month's
edges are its midnights, on the invoice as in the report."""

import datetime as dt
import json
from datetime import date
from decimal import Decimal

import pytest
import responses
from django_tenants.utils import schema_context

from apps.billing.models import InvoiceLine
from apps.billing.services.run import account_invoice_for_period
from apps.core import timezones
from apps.payments.models import Payment, Refund
from apps.sales.models import Order, Ticket
from apps.sales.selectors.figures import Period, Scope
from apps.sales.selectors.ledger import ledger, sales_report
from apps.sales.services.orders import OrderLine, order_create, order_mark_paid
from apps.sales.services.payments import order_refund
from tests.billing.accounts import account_open_on
from tests.payments import stripe_fake
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA

UTC = dt.UTC
PARIS = timezones.zone("Europe/Paris")


def _sell(shop, quantity, *, paid_at, card=False):
    order = order_create(
        distribution=shop.online if card else shop.box_office,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.STRIPE if card else Order.PaymentMethod.CASH,
    )
    if order.status == Order.Status.PENDING:
        order = order_mark_paid(order_id=order.pk)
    Order.objects.filter(pk=order.pk).update(paid_at=paid_at, created_at=paid_at)
    if card:
        Payment.objects.create(
            purpose=Order.PAYMENT_PURPOSE,
            object_id=order.pk,
            intent_id=f"pi_{order.code}",
            stripe_account_id="acct_reconcile",
            amount=order.total,
            amount_received=order.total,
            currency=order.currency,
            application_fee=Decimal("0.80"),
            status=Payment.Status.SUCCEEDED,
            succeeded_at=paid_at,
        )
    return order


def _refund(order, *, tickets, at):
    ids = list(order.tickets.order_by("pk").values_list("pk", flat=True))[:tickets]
    order_refund(order_id=order.pk, ticket_ids=ids)
    Ticket.objects.filter(pk__in=ids).update(voided_at=at)
    Refund.objects.filter(payment__object_id=order.pk, payment__purpose=Order.PAYMENT_PURPOSE).update(
        created_at=at
    )


def _refund_made(request):
    amount = int(stripe_fake.form(request)["amount"])
    return (
        200,
        {},
        json.dumps({"id": f"re_{amount}", "object": "refund", "status": "succeeded", "amount": amount}),
    )


@pytest.fixture
def month(alpha, stripe_platform, stripe_api):
    """Fun in Paris, signed up 10 March 2026: its first invoice covers 10 March – 9 April.

    In the period: 3 tickets at the box office; 2 online by card (0.80 taken by Stripe), and 2
    more, one refunded on the 26th (Stripe gives back 0.40 of their 0.80);
    2 at the box office on the 28th, one refunded on the 29th; 2 sold at 00:30 Paris on the
    10th (23:30 UTC on the 9th). Outside: 1 sold on 1 March, refunded in the period (a
    credit); 1 sold at 00:30 Paris on 10 April (22:30 UTC on the 9th), the next period's."""
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=100)
        earlier = _sell(shop, 1, paid_at=dt.datetime(2026, 3, 1, 12, tzinfo=UTC))
        _sell(shop, 3, paid_at=dt.datetime(2026, 3, 15, 12, tzinfo=UTC))
        _sell(shop, 2, paid_at=dt.datetime(2026, 3, 20, 12, tzinfo=UTC), card=True)
        by_card = _sell(shop, 2, paid_at=dt.datetime(2026, 3, 22, 12, tzinfo=UTC), card=True)
        partly = _sell(shop, 2, paid_at=dt.datetime(2026, 3, 28, 12, tzinfo=UTC))
        _sell(shop, 2, paid_at=dt.datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
        _sell(shop, 1, paid_at=dt.datetime(2026, 4, 9, 22, 30, tzinfo=UTC))
        _refund(earlier, tickets=1, at=dt.datetime(2026, 3, 25, 12, tzinfo=UTC))
        _refund(partly, tickets=1, at=dt.datetime(2026, 3, 29, 12, tzinfo=UTC))
        stripe_api.add_callback(responses.POST, f"{stripe_fake.API}/v1/refunds", callback=_refund_made)
        _refund(by_card, tickets=1, at=dt.datetime(2026, 3, 26, 12, tzinfo=UTC))
    account = account_open_on(alpha, signed_up=date(2026, 3, 10), organizer_id=shop.organizer.pk)
    return shop, account


def test_the_report_the_ledger_and_the_invoice_of_a_month_agree(month):
    shop, account = month
    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    with schema_context(ALPHA.schema_name):
        period = Period(invoice.period_start, invoice.period_end - dt.timedelta(days=1), PARIS)
        scope = Scope((shop.organizer.pk,), None, True)
        report = sales_report(scope, period, "EUR")
        books = ledger(scope, period, "EUR")
        orders = Order.objects.filter(
            organizer=shop.organizer, paid_at__gte=period.start, paid_at__lt=period.end
        )
        orders_total = sum((order.total for order in orders), Decimal(0))
        refunded = Ticket.objects.filter(
            order__organizer=shop.organizer, voided_at__gte=period.start, voided_at__lt=period.end
        )
        refunds_total = sum((ticket.price + ticket.fee for ticket in refunded), Decimal(0))

    # The orders: 3 + 2 + 2 + 2 + 2 tickets at 10.00 sold in the period, 3 refunded in it.
    assert (report.total.orders, report.total.tickets) == (5, 11)
    assert report.total.gross == orders_total == Decimal("110.00")
    assert report.total.refunds == refunds_total == Decimal("30.00")
    # The money: what came in (card and counter) less what went back is gross less refunds.
    assert report.payments.card_received == Decimal("40.00")
    assert report.payments.counter_received == Decimal("70.00")
    assert (report.payments.card_refunded, report.payments.counter_refunded) == (
        Decimal("10.00"),
        Decimal("20.00"),
    )
    assert report.payments.net == report.total.net == Decimal("80.00")
    assert report.reconciled
    # The platform: the invoice's fee lines are what the report says it bills.
    lines = {line.kind: line.amount for line in invoice.lines.all()}
    platform = report.platform
    assert platform.tickets == 9  # still valid: the 11 sold less the two refunded in the period
    assert (
        lines[InvoiceLine.Kind.TRANSACTION_FEES] == platform.on_sales == Decimal("5.76")
    )  # 9 × 0.49 + 1.5 % of 90
    assert lines[InvoiceLine.Kind.COLLECTED_FEES] == -platform.collected == Decimal("-1.20")
    assert lines[InvoiceLine.Kind.REFUND_CREDIT] == -platform.credit == Decimal("-0.64")  # 0.49 + 1.5 % of 10
    fee_lines = (
        InvoiceLine.Kind.TRANSACTION_FEES,
        InvoiceLine.Kind.COLLECTED_FEES,
        InvoiceLine.Kind.REFUND_CREDIT,
    )
    assert sum(lines[kind] for kind in fee_lines) == platform.to_invoice == Decimal("3.92")
    # The ledger closes on the report's totals.
    assert books.closing.payments == report.total.gross
    assert books.closing.refunds == report.total.refunds
    assert books.closing.platform_fees == platform.collected
    assert books.closing.balance == report.net == Decimal("78.80")
