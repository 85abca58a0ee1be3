"""Refunds: whole orders or some tickets, through Stripe for card payments (the platform's
fee in proportion), the seats back on sale and the tickets void."""

import itertools
import json
from decimal import Decimal

import pytest
import responses
from django_tenants.utils import schema_context

from apps.payments import services as payments
from apps.payments.models import Payment
from apps.sales.exceptions import CheckInRefused, OrderRejected
from apps.sales.models import DateStock, Order, Ticket
from apps.sales.services.check_in import ticket_check_in
from apps.sales.services.orders import OrderLine, order_cancel, order_create
from apps.sales.services.payments import order_payment_start, order_refund
from tests.payments import stripe_fake
from tests.payments.fixtures import ACCOUNT
from tests.tenants import ALPHA


@pytest.fixture
def paid_by_card(stripe_api, shop):
    """A card-paid order of 2 tickets (2 × 10.00) with a 0.80 platform fee."""
    with schema_context(ALPHA.schema_name):
        order = order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
        )
        intent = stripe_fake.payment_intent(amount=2000)
        stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=intent)
        payment = order_payment_start(order=order)
        Payment.objects.filter(pk=payment.pk).update(application_fee=Decimal("0.80"))
        stripe_api.add(
            responses.GET,
            f"{stripe_fake.API}/v1/payment_intents/{intent['id']}",
            json={**intent, "status": "succeeded", "amount_received": 2000},
        )
        payments.payment_reconcile(payment_id=payment.pk)
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
    stripe_api.add_callback(responses.POST, f"{stripe_fake.API}/v1/refunds", callback=_refund_made)
    return order


_refund_ids = itertools.count(1)


def _refund_made(request):
    body = stripe_fake.form(request)
    refund = {"id": f"re_test{next(_refund_ids)}", "object": "refund"}
    return 200, {}, json.dumps({**refund, "status": "succeeded", "amount": int(body["amount"])})


def _refund_calls(stripe_api):
    return [
        stripe_fake.form(c.request) | {"account": c.request.headers["Stripe-Account"]}
        for c in stripe_api.calls
        if c.request.url.endswith("/v1/refunds")
    ]


def test_refunding_one_ticket_refunds_its_price_through_stripe_and_frees_its_seat(
    stripe_api, shop, paid_by_card
):
    with schema_context(ALPHA.schema_name):
        first = paid_by_card.tickets.order_by("pk").first()
        order = order_refund(order_id=paid_by_card.pk, ticket_ids=[first.pk])

        assert order.status == Order.Status.PAID  # one ticket still stands
        assert set(order.tickets.values_list("status", flat=True)) == {
            Ticket.Status.REFUNDED,
            Ticket.Status.VALID,
        }
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1
        assert Payment.objects.get().refunded_amount == Decimal("10.00")
    (call,) = _refund_calls(stripe_api)
    assert (call["amount"], call["refund_application_fee"], call["account"]) == ("1000", "true", ACCOUNT)


def test_refunding_the_rest_refunds_the_order(stripe_api, shop, paid_by_card):
    with schema_context(ALPHA.schema_name):
        order_refund(order_id=paid_by_card.pk, ticket_ids=[paid_by_card.tickets.order_by("pk").first().pk])
        order = order_refund(order_id=paid_by_card.pk)

        assert order.status == Order.Status.REFUNDED
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 0
    calls = _refund_calls(stripe_api)
    assert [c["amount"] for c in calls] == ["1000", "1000"]


def test_a_card_order_cannot_be_cancelled_without_its_refund(shop, paid_by_card):
    with schema_context(ALPHA.schema_name), pytest.raises(OrderRejected, match="refunded, not cancelled"):
        order_cancel(order_id=paid_by_card.pk)


def test_a_refunded_ticket_is_refused_at_the_gate(shop, paid_by_card):
    with schema_context(ALPHA.schema_name):
        ticket = paid_by_card.tickets.order_by("pk").first()
        order_refund(order_id=paid_by_card.pk, ticket_ids=[ticket.pk])

        with pytest.raises(CheckInRefused) as refused:
            ticket_check_in(code=ticket.code, tickets=Ticket.objects.all())

    assert refused.value.reason == "refunded"


def test_a_counter_order_is_refunded_without_stripe(stripe_api, shop):
    with schema_context(ALPHA.schema_name):
        order = order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
            email="counter@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )
        order = order_refund(order_id=order.pk)

    assert order.status == Order.Status.REFUNDED
    assert _refund_calls(stripe_api) == []


def test_only_paid_orders_and_their_own_valid_tickets_are_refunded(shop, paid_by_card):
    with schema_context(ALPHA.schema_name):
        pending = order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.date_ticket(1), quantity=1)],
            email="later@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
        )
        with pytest.raises(OrderRejected):
            order_refund(order_id=pending.pk)
        with pytest.raises(OrderRejected):
            order_refund(order_id=paid_by_card.pk, ticket_ids=[pending.tickets.get().pk])


def test_each_refund_records_the_share_of_the_platform_fee_stripe_gives_back(stripe_api, shop, paid_by_card):
    """Half the payment refunded gives back half the 0.80 fee; the refund that empties the
    payment gives back the rest, so the whole fee comes back across the refunds."""
    with schema_context(ALPHA.schema_name):
        first, second = paid_by_card.tickets.order_by("pk")
        order_refund(order_id=paid_by_card.pk, ticket_ids=[first.pk])
        order_refund(order_id=paid_by_card.pk, ticket_ids=[second.pk])

        payment = Payment.objects.get()
        shares = list(payment.refunds.order_by("pk").values_list("application_fee_refunded", flat=True))
    assert shares == [Decimal("0.40"), Decimal("0.40")]


def test_uneven_shares_of_the_fee_still_add_up_to_it(stripe_api, shop, paid_by_card):
    with schema_context(ALPHA.schema_name):
        Payment.objects.update(application_fee=Decimal("0.75"))
        payment = Payment.objects.get()
        first = payments.payment_refund(payment_id=payment.pk, amount=Decimal("6.00"))
        second = payments.payment_refund(payment_id=payment.pk, amount=Decimal("6.00"))
        last = payments.payment_refund(payment_id=payment.pk, amount=Decimal("8.00"))

    assert [r.application_fee_refunded for r in (first, second, last)] == [
        Decimal("0.23"),  # 0.75 × 6 / 20 = 0.225, rounded half up
        Decimal("0.23"),
        Decimal("0.29"),  # the rest: 0.75 − 0.46
    ]
