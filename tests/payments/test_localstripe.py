"""Ticket payments against the fake Stripe server (localstripe, with Connect's headers and
fields): the SDK makes the intents and refunds, the card is confirmed the way Stripe.js does,
and localstripe's own signed webhooks reach the platform's endpoint on a live server."""

import time
import uuid
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.payments import services as payments
from apps.payments.models import ConnectedAccount, Payment, Refund, WebhookEvent
from apps.sales.models import DateStock, Order, Ticket
from apps.sales.services.cart import order_checkout
from apps.sales.services.orders import OrderLine, order_create, orders_expire
from apps.sales.services.payments import order_payment_start, order_refund
from tests.payments import stripe_fake
from tests.payments.fixtures import localstripe_confirm
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA


def _stripe(base_url: str) -> stripe.StripeClient:
    return stripe.StripeClient(stripe_fake.SECRET_KEY, base_addresses={"api": base_url})


def _wait_for(condition, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen"
        time.sleep(0.2)


def _card_order(shop, quantity: int = 2) -> Order:
    return order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.STRIPE,
        hold=True,
    )


@pytest.fixture
def live_shop(fresh_organization, localstripe_webhooks):
    """A committed organization whose organizer is connected, for the webhook tests; an
    account of its own, as localstripe may still deliver an earlier test's events."""
    organization = fresh_organization(name="Webhook parks", slug="webhooks")
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=1)
    ConnectedAccount.objects.create(
        stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
        schema_name=organization.schema_name,
        organizer_id=shop.organizer.pk,
        charges_enabled=True,
    )
    return organization, shop


def test_a_buyer_who_leaves_after_paying_gets_the_order_from_localstripes_webhook(live_shop, localstripe):
    organization, shop = live_shop
    with schema_context(organization.schema_name):
        order = _card_order(shop, quantity=1)
        order_checkout(order_id=order.pk, email="leaves@example.com")
        payment = order_payment_start(order=order)
        intent = _stripe(localstripe).v1.payment_intents.retrieve(payment.intent_id)
        assert intent["amount"] == 1000
        assert intent["metadata"]["schema"] == organization.schema_name

        confirmed = localstripe_confirm(
            localstripe, client_secret=payment.client_secret, card="4242424242424242"
        )
        assert confirmed["status"] == "succeeded"
        # No return page: only the webhook, routed by its account, can pay the order.
        _wait_for(lambda: Order.objects.get(pk=order.pk).status == Order.Status.PAID, "the webhook's payment")
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1
    account = ConnectedAccount.objects.get(schema_name=organization.schema_name).stripe_account_id
    event = WebhookEvent.objects.get(type="payment_intent.succeeded", account=account)
    assert (event.schema_name, event.outcome) == (organization.schema_name, "succeeded")
    _wait_for(lambda: any("Your tickets" in m.subject for m in mail.outbox), "the tickets e-mail")
    assert [m.to for m in mail.outbox if "Your tickets" in m.subject] == [["leaves@example.com"]]


def test_a_payment_after_its_seat_was_sold_again_is_refunded_on_the_connected_account(
    live_shop,
    localstripe,
):
    organization, shop = live_shop
    with schema_context(organization.schema_name):
        late = _card_order(shop, quantity=1)
        order_checkout(order_id=late.pk, email="late@example.com")
        payment = order_payment_start(order=late)
        # The buyer dawdles: the hold expires and the last seat goes to someone at the counter.
        Order.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
        assert orders_expire() == 1
        order_create(
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
            email="",
            payment_method=Order.PaymentMethod.CASH,
        )

        localstripe_confirm(localstripe, client_secret=payment.client_secret, card="4242424242424242")

        _wait_for(lambda: Order.objects.get(pk=late.pk).status == Order.Status.REFUNDED, "the refund")
        refund = Refund.objects.get()
        assert (refund.payment_id, refund.amount) == (payment.pk, Decimal("10.00"))
        assert set(Ticket.objects.filter(order=late).values_list("status", flat=True)) == {
            Ticket.Status.REFUNDED
        }
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1  # never oversold
    charge = _stripe(localstripe).v1.payment_intents.retrieve(payment.intent_id)["latest_charge"]
    assert (charge["amount_refunded"], charge["refunded"]) == (1000, True)
    assert [m.to for m in mail.outbox if "could not be completed" in m.subject] == [["late@example.com"]]


@pytest.fixture
def card_paid(shop, platform_on_localstripe):
    """A card order of 2 × 10.00 paid on localstripe, its success read back by the return page."""
    with schema_context(ALPHA.schema_name):
        order = _card_order(shop)
        order_checkout(order_id=order.pk, email="buyer@example.com")
        payment = order_payment_start(order=order)
        declined = localstripe_confirm(
            platform_on_localstripe, client_secret=payment.client_secret, card="4000000000000341"
        )
        assert declined["error"]["message"] == "Your card was declined."
        assert payments.payment_reconcile(payment_id=payment.pk).status == Payment.Status.PENDING
        localstripe_confirm(
            platform_on_localstripe, client_secret=payment.client_secret, card="4242424242424242"
        )
        assert payments.payment_reconcile(payment_id=payment.pk).status == Payment.Status.SUCCEEDED
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
    return order, payment


def test_refunding_one_ticket_refunds_its_price_on_localstripe(shop, card_paid, platform_on_localstripe):
    order, payment = card_paid
    with schema_context(ALPHA.schema_name):
        ticket = order.tickets.first()
        order_refund(order_id=order.pk, ticket_ids=[ticket.pk])
        refund = Refund.objects.get()
        payment.refresh_from_db()
        assert (payment.refunded_amount, refund.amount, refund.status) == (
            Decimal("10.00"),
            Decimal("10.00"),
            "succeeded",
        )
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1
    fake = _stripe(platform_on_localstripe).v1.refunds.retrieve(refund.refund_id)
    assert (fake["amount"], fake["refund_application_fee"]) == (1000, True)

    with schema_context(ALPHA.schema_name):
        order_refund(order_id=order.pk)
        order.refresh_from_db()
        assert order.status == Order.Status.REFUNDED
        assert sorted(Refund.objects.values_list("amount", flat=True)) == [Decimal("10.00"), Decimal("10.00")]
    charge = _stripe(platform_on_localstripe).v1.payment_intents.retrieve(payment.intent_id)["latest_charge"]
    assert (charge["amount_refunded"], charge["refunded"]) == (2000, True)
