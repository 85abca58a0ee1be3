"""What is charged is what is sold: the shop's cart is frozen once paying starts, a payment
for anything but the order's total never pays it, and a payment that cannot become tickets
is refunded in full and recorded — against the fake Stripe server (localstripe)."""

import time
import uuid
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from apps.core.models import AuditLogEntry
from apps.payments import services as payments
from apps.payments.models import ConnectedAccount, Payment, Refund, WebhookEvent
from apps.sales.models import DateStock, Order
from apps.sales.services.orders import OrderLine, order_cancel, order_create
from apps.sales.services.payments import order_payment_start
from apps.tenancy import services as tenancy
from tests.payments import stripe_fake
from tests.payments.fixtures import localstripe_confirm
from tests.sales.helpers import shop_build
from tests.tenants import ALPHA

HOST = "payer.localhost"


def _stripe(base_url: str) -> stripe.StripeClient:
    return stripe.StripeClient(stripe_fake.SECRET_KEY, base_addresses={"api": base_url})


def _intent(base_url: str, payment: Payment) -> dict:
    return _stripe(base_url).v1.payment_intents.retrieve(
        payment.intent_id, options={"stripe_account": payment.stripe_account_id}
    )


def _wait_for(condition, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen"
        time.sleep(0.2)


def _connected_shop(organization):
    with schema_context(organization.schema_name):
        shop = shop_build(capacity=20, slug="payer")
    tenancy.domain_add(organization=organization, domain=HOST, organizer_slug="payer")
    ConnectedAccount.objects.create(
        stripe_account_id=f"acct_{uuid.uuid4().hex[:16]}",
        schema_name=organization.schema_name,
        organizer_id=shop.organizer.pk,
        charges_enabled=True,
    )
    return shop


@pytest.fixture
def shop(alpha, platform_on_localstripe):
    return _connected_shop(alpha)


@pytest.fixture
def buyer():
    return Client(HTTP_HOST=HOST)


def _reserve(buyer, shop, quantity):
    answer = buyer.post(
        f"/events/{shop.event.pk}/", {f"qty-{shop.day_ticket.pk}-{shop.dates[0].pk}": str(quantity)}
    )
    assert answer.status_code == 302, answer.content.decode()[:500]


def _card_order(shop, quantity: int, email: str) -> Order:
    return order_create(
        distribution=shop.online,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email=email,
        payment_method=Order.PaymentMethod.STRIPE,
        hold=True,
    )


def _check_out(buyer) -> Payment:
    answer = buyer.post("/cart/", {"email": "payer@example.com"})
    assert answer["Location"] == "/checkout/pay/"
    return Payment.objects.filter(status=Payment.Status.PENDING).get()


def test_adding_tickets_after_checkout_cancels_the_intent_and_the_next_one_charges_the_new_total(
    buyer, shop, localstripe
):
    _reserve(buyer, shop, 1)
    with schema_context(ALPHA.schema_name):
        first = _check_out(buyer)
        assert first.amount == Decimal("10.00")

        _reserve(buyer, shop, 9)  # back to the event page, 9 more

        first.refresh_from_db()
        assert first.status == Payment.Status.CANCELED
        assert _intent(localstripe, first)["status"] == "canceled"
        assert buyer.get("/checkout/pay/")["Location"] == "/cart/"  # no paying the old intent
        second = _check_out(buyer)
    assert second.amount == Decimal("100.00")
    assert _intent(localstripe, second)["amount"] == 10000
    refused = localstripe_confirm(localstripe, client_secret=first.client_secret, card="4242424242424242")
    assert "error" in refused

    localstripe_confirm(localstripe, client_secret=second.client_secret, card="4242424242424242")
    landed = buyer.get("/checkout/return/")

    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        assert (order.status, order.total, order.tickets.count()) == (
            Order.Status.PAID,
            Decimal("100.00"),
            10,
        )
        assert landed["Location"] == f"/orders/{order.code}/{order.secret}/"
        assert not Refund.objects.exists()


def test_an_intent_is_replaced_when_the_amount_to_pay_differs(shop, localstripe):
    with schema_context(ALPHA.schema_name):
        order = _card_order(shop, 2, "payer@example.com")
        first = order_payment_start(order=order)
        assert order_payment_start(order=order) == first  # a reload reuses it
        Order.objects.filter(pk=order.pk).update(
            fee_total=Decimal("-5.00"), total=Decimal("15.00")
        )  # fees changed
        order.refresh_from_db()

        second = order_payment_start(order=order)

        first.refresh_from_db()
        assert first.status == Payment.Status.CANCELED
        assert (second.amount, _intent(localstripe, second)["amount"]) == (Decimal("15.00"), 1500)
        assert _intent(localstripe, first)["status"] == "canceled"


def test_a_payment_for_less_than_the_orders_total_never_pays_it_and_is_refunded(
    shop, localstripe, django_capture_on_commit_callbacks
):
    with schema_context(ALPHA.schema_name):
        order = _card_order(shop, 1, "payer@example.com")
        payment = order_payment_start(order=order)
        # The order grows behind the payment's back (as any path that forgot to freeze it would).
        Order.objects.filter(pk=order.pk).update(subtotal=Decimal("100.00"), total=Decimal("100.00"))

        localstripe_confirm(localstripe, client_secret=payment.client_secret, card="4242424242424242")
        with django_capture_on_commit_callbacks(execute=True):
            payment = payments.payment_reconcile(payment_id=payment.pk)

        order.refresh_from_db()
        assert order.status == Order.Status.PENDING  # not paid by 10.00
        assert (payment.refund_due, payment.unapplied_reason) == (False, payments.REASON_AMOUNT)
        assert Refund.objects.get().amount == Decimal("10.00")
        entry = AuditLogEntry.objects.get(action="order.payment_refunded")
        assert (entry.target_id, entry.data["reason"]) == (str(order.pk), payments.REASON_AMOUNT)
    charge = _intent(localstripe, payment)["latest_charge"]
    assert (charge["amount_refunded"], charge["refunded"]) == (1000, True)
    assert [m.to for m in mail.outbox if "could not be completed" in m.subject] == [["payer@example.com"]]


def test_emptying_the_cart_cancels_its_intent(buyer, shop, localstripe):
    _reserve(buyer, shop, 2)
    with schema_context(ALPHA.schema_name):
        payment = _check_out(buyer)

    buyer.post("/cart/empty/")

    with schema_context(ALPHA.schema_name):
        payment.refresh_from_db()
        assert payment.status == Payment.Status.CANCELED
        assert Order.objects.get().status == Order.Status.CANCELLED
    assert _intent(localstripe, payment)["status"] == "canceled"
    assert "error" in localstripe_confirm(
        localstripe, client_secret=payment.client_secret, card="4242424242424242"
    )


def test_a_second_payment_of_a_paid_order_is_refunded(shop, localstripe):
    with schema_context(ALPHA.schema_name):
        order = _card_order(shop, 1, "payer@example.com")
        first = order_payment_start(order=order)
        # A second intent for the same order, as a second tab or a replaced one might leave.
        Payment.objects.filter(pk=first.pk).update(status=Payment.Status.FAILED)
        second = order_payment_start(order=order)
        Payment.objects.filter(pk=first.pk).update(status=Payment.Status.PENDING)
        for payment in (first, second):
            localstripe_confirm(localstripe, client_secret=payment.client_secret, card="4242424242424242")
            payments.payment_reconcile(payment_id=payment.pk)

        order.refresh_from_db()
        assert order.status == Order.Status.PAID
        refund = Refund.objects.get()
        assert (refund.payment_id, refund.amount) == (second.pk, Decimal("10.00"))
        second.refresh_from_db()
        assert second.unapplied_reason == payments.REASON_ALREADY_PAID
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 1


@pytest.fixture
def live_shop(fresh_organization, localstripe_webhooks):
    organization = fresh_organization(name="Money parks", slug="moneyparks")
    return organization, _connected_shop(organization)


def test_a_payment_that_lands_after_the_order_was_cancelled_is_refunded_and_the_webhook_answers_2xx(
    live_shop, localstripe, settings
):
    organization, shop = live_shop
    with schema_context(organization.schema_name):
        order = _card_order(shop, 2, "late@example.com")
        payment = order_payment_start(order=order)
        # Stripe cannot be reached as the order is cancelled: it is cancelled all the same,
        # with its intent still open.
        settings.STRIPE_API_BASE = "http://127.0.0.1:9"
        order_cancel(order_id=order.pk)
        settings.STRIPE_API_BASE = localstripe
        assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING

        localstripe_confirm(localstripe, client_secret=payment.client_secret, card="4242424242424242")

        _wait_for(lambda: Refund.objects.filter(payment=payment).exists(), "the refund")
        order.refresh_from_db()
        assert order.status == Order.Status.CANCELLED
        assert Payment.objects.get(pk=payment.pk).unapplied_reason == payments.REASON_CLOSED
        assert AuditLogEntry.objects.filter(action="order.payment_refunded", target_id=str(order.pk)).exists()
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 0
    event = WebhookEvent.objects.get(type="payment_intent.succeeded", schema_name=organization.schema_name)
    assert event.processed_at is not None
    assert event.outcome == "succeeded"
    charge = _intent(localstripe, payment)["latest_charge"]
    assert (charge["amount_refunded"], charge["refunded"]) == (2000, True)
    assert [m.to for m in mail.outbox if "could not be completed" in m.subject] == [["late@example.com"]]


def test_a_refund_stripe_cannot_take_stays_due_and_the_sweep_makes_it(shop, localstripe, settings):
    with schema_context(ALPHA.schema_name):
        order = _card_order(shop, 1, "payer@example.com")
        payment = order_payment_start(order=order)
        settings.STRIPE_API_BASE = "http://127.0.0.1:9"
        order_cancel(order_id=order.pk)  # its intent left open: Stripe is down
        settings.STRIPE_API_BASE = localstripe
        localstripe_confirm(localstripe, client_secret=payment.client_secret, card="4242424242424242")
        intent = _intent(localstripe, payment).to_dict()
        event = stripe_fake.event("payment_intent.succeeded", intent, account=payment.stripe_account_id)

        settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe down as the payment lands
        payload, signature = stripe_fake.signed(event)
        outcome = payments.webhook_receive(payload=payload, signature=signature)

        assert outcome == "succeeded"
        payment.refresh_from_db()
        assert (payment.status, payment.refund_due) == (Payment.Status.SUCCEEDED, True)
        assert not Refund.objects.exists()

        settings.STRIPE_API_BASE = localstripe
        assert payments.payments_refund_due_settle() == 1

        payment.refresh_from_db()
        assert (payment.refund_due, payment.refundable) == (False, Decimal("0.00"))
        assert Refund.objects.get().amount == Decimal("10.00")
        assert payments.payments_refund_due_settle() == 0


def test_emptying_a_cart_whose_payment_went_through_keeps_the_order_and_shows_it_paid(
    buyer, shop, localstripe
):
    _reserve(buyer, shop, 2)
    with schema_context(ALPHA.schema_name):
        payment = _check_out(buyer)
    localstripe_confirm(localstripe, client_secret=payment.client_secret, card="4242424242424242")

    emptied = buyer.post("/cart/empty/")  # from a tab left open before paying
    landed = buyer.get(emptied["Location"])

    assert emptied["Location"] == "/checkout/return/"
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        assert order.status == Order.Status.PAID
        assert landed["Location"] == f"/orders/{order.code}/{order.secret}/"
        assert not Refund.objects.exists()
