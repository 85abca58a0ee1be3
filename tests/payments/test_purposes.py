"""What a payment pays for is a purpose and an object id, handed on a success to the one app
that registered the purpose (apps.core.hooks.payment_succeeded), never a string prefix."""

import importlib
from decimal import Decimal

import pytest
import responses
from django_tenants.utils import schema_context

from apps.core import hooks
from apps.payments.models import Payment, WebhookEvent
from apps.sales.models import Order
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.payments import order_paid_by_payment, order_payment_start
from tests.payments import stripe_fake
from tests.payments.fixtures import ACCOUNT
from tests.payments.test_stripe import _deliver, _succeeded
from tests.tenants import ALPHA

migration = importlib.import_module("apps.payments.migrations.0003_payment_purpose")


def test_sales_and_billing_register_their_purposes_when_django_starts():
    from apps.billing.receivers import invoice_paid_by_payment

    assert hooks.payment_succeeded.purposes() == ["invoice", "order"]
    assert hooks.payment_succeeded._handlers["order"] is order_paid_by_payment
    assert hooks.payment_succeeded._handlers["invoice"] is invoice_paid_by_payment


def test_a_succeeded_payment_reaches_its_order_through_its_purpose(stripe_api, shop):
    with schema_context(ALPHA.schema_name):
        order = order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=1)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
        )
    intent = stripe_fake.payment_intent(amount=int(order.total * 100))
    stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=intent)
    with schema_context(ALPHA.schema_name):
        payment = order_payment_start(order=order)
        assert (payment.purpose, payment.object_id, payment.reference) == (
            "order",
            order.pk,
            f"order:{order.pk}",
        )

    assert _deliver(_succeeded(intent)).status_code == 200

    with schema_context(ALPHA.schema_name):
        assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_a_payment_for_a_purpose_no_app_handles_is_refunded_not_lost_nor_a_500(stripe_api, shop):
    intent = stripe_fake.payment_intent(amount=1500)
    with schema_context(ALPHA.schema_name):
        Payment.objects.create(
            purpose="raffle",
            object_id=7,
            intent_id=intent["id"],
            stripe_account_id=ACCOUNT,
            amount=Decimal("15.00"),
            currency="EUR",
        )
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/refunds",
        json={"id": "re_raffle", "object": "refund", "amount": 1500, "status": "succeeded"},
    )

    answer = _deliver(_succeeded(intent))

    assert answer.status_code == 200
    assert WebhookEvent.objects.get(type="payment_intent.succeeded").outcome == "refunded: nothing to pay for"
    body = stripe_fake.form(stripe_api.calls[-1].request)
    assert (body["payment_intent"], body["amount"], body["metadata[reference]"]) == (
        intent["id"],
        "1500",
        "raffle:7",
    )
    with schema_context(ALPHA.schema_name):
        payment = Payment.objects.get(intent_id=intent["id"])
        assert (payment.status, payment.refunded_amount, payment.refund_due) == (
            Payment.Status.SUCCEEDED,
            Decimal("15.00"),
            False,
        )
        assert payment.unapplied_reason == "nothing to pay for"


@pytest.mark.parametrize(
    ("reference", "split"),
    [
        ("order:42", ("order", "42")),
        ("invoice:7", ("invoice", "7")),
        ("order:9000000001", ("order", "9000000001")),
    ],
)
def test_the_migration_splits_every_reference_into_purpose_and_id(reference, split):
    match = migration.REFERENCE.match(reference)
    assert (match["purpose"], match["object_id"]) == split


@pytest.mark.parametrize("reference", ["order", "order:", "order:4x", ":4", "Order 4"])
def test_the_migration_refuses_a_reference_it_cannot_split_rather_than_lose_it(reference):
    assert migration.REFERENCE.match(reference) is None
