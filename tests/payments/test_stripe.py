"""Stripe Connect payments of orders: intents on the organizer's account with the platform's
fee, and the one webhook endpoint, which handles every event once whatever the order or
number of deliveries, and never loses a payment."""

import datetime as dt
import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
import responses
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.payments import services as payments
from apps.payments.models import ConnectedAccount, Payment, PlatformStripeAccount, WebhookEvent
from apps.sales.models import DateStock, Order
from apps.sales.services.orders import OrderLine, order_create, orders_expire
from apps.sales.services.payments import application_fee_of, order_payment_start
from tests.payments import stripe_fake
from tests.payments.fixtures import ACCOUNT
from tests.tenants import ALPHA


def _client_on_plan(organization, organizer, **price):
    """The organizer made a client of the platform, on a plan with the given EUR price."""
    from apps.billing.services.accounts import billing_account_open
    from tests.plans.factories import EUR_PRICE, plan_build

    return billing_account_open(
        organization=organization,
        organizer_id=organizer.pk,
        organizer_name=organizer.name,
        organizer_slug=organizer.slug,
        country="FR",
        plan=plan_build(price={**EUR_PRICE, **price}),
    )


def _online_order(shop, quantity=2):
    with schema_context(ALPHA.schema_name):
        return order_create(
            distribution=shop.online,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.STRIPE,
        )


def _start(stripe_api, order, status="requires_payment_method"):
    intent = stripe_fake.payment_intent(amount=int(order.total * 100), status=status)
    stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=intent)
    with schema_context(ALPHA.schema_name):
        return order_payment_start(order=order), intent


def _deliver(payload: dict, *, secret: str = stripe_fake.WEBHOOK_SECRET):
    body, signature = stripe_fake.signed(payload, secret)
    return Client().post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def _succeeded(intent) -> dict:
    return stripe_fake.event(
        "payment_intent.succeeded",
        {**intent, "status": "succeeded", "amount_received": intent["amount"]},
        account=ACCOUNT,
    )


def test_the_intent_is_made_on_the_organizers_account_with_the_platform_fee(stripe_api, shop, alpha):
    _client_on_plan(alpha, shop.organizer, fixed_fee=Decimal("1.00"), percent_fee=Decimal("2.00"))
    order = _online_order(shop, quantity=2)  # 2 × 10.00

    payment, intent = _start(stripe_api, order)

    request = stripe_api.calls[0].request
    body = stripe_fake.form(request)
    assert request.headers["Stripe-Account"] == ACCOUNT
    assert request.headers["Idempotency-Key"] == f"intent:{ALPHA.schema_name}:order:{order.pk}:1"
    assert request.headers["Authorization"] == f"Bearer {stripe_fake.SECRET_KEY}"
    assert body["amount"] == "2000"
    assert body["currency"] == "eur"
    assert body["application_fee_amount"] == "240"  # 2 × 1.00 + 2 % of 20.00
    assert body["metadata[reference]"] == f"order:{order.pk}"
    assert payment.intent_id == intent["id"]
    assert payment.client_secret == intent["client_secret"]


def test_reloading_checkout_reuses_the_pending_payment(stripe_api, shop):
    order = _online_order(shop)
    first, _intent = _start(stripe_api, order)

    with schema_context(ALPHA.schema_name):
        again = order_payment_start(order=order)

    assert again.pk == first.pk
    assert len(stripe_api.calls) == 1


def test_an_organizer_not_yet_able_to_take_payments_is_refused(stripe_api, shop):
    ConnectedAccount.objects.filter(stripe_account_id=ACCOUNT).update(charges_enabled=False)
    order = _online_order(shop)

    with schema_context(ALPHA.schema_name), pytest.raises(payments.AccountNotReady):
        order_payment_start(order=order)
    assert len(stripe_api.calls) == 0


def test_five_deliveries_out_of_order_make_one_paid_order_and_one_email(
    stripe_api, shop, django_capture_on_commit_callbacks
):
    order = _online_order(shop)
    _payment, intent = _start(stripe_api, order)
    succeeded = _succeeded(intent)
    failed_before = stripe_fake.event(
        "payment_intent.payment_failed", {**intent, "status": "requires_payment_method"}, account=ACCOUNT
    )

    with django_capture_on_commit_callbacks(execute=True):
        answers = (
            [_deliver(failed_before)] + [_deliver(succeeded) for _ in range(5)] + [_deliver(failed_before)]
        )

    assert [a.status_code for a in answers] == [200] * 7
    assert [a.json()["outcome"] for a in answers][1:] == ["succeeded"] + ["duplicate"] * 4 + ["duplicate"]
    with schema_context(ALPHA.schema_name):
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 2
    assert len(mail.outbox) == 1
    assert WebhookEvent.objects.filter(event_id=succeeded["id"]).count() == 1


def test_a_late_failure_notice_after_success_changes_nothing(stripe_api, shop):
    order = _online_order(shop)
    _payment, intent = _start(stripe_api, order)
    _deliver(_succeeded(intent))

    late_failure = stripe_fake.event("payment_intent.payment_failed", intent, account=ACCOUNT)
    answer = _deliver(late_failure)

    assert answer.json()["outcome"] == "already succeeded"
    with schema_context(ALPHA.schema_name):
        assert Payment.objects.get(intent_id=intent["id"]).status == Payment.Status.SUCCEEDED
        order.refresh_from_db()
        assert order.status == Order.Status.PAID


@pytest.mark.parametrize("tamper", ["secret", "body", "header"])
def test_an_invalid_signature_is_400_and_changes_nothing(stripe_api, shop, tamper):
    order = _online_order(shop)
    _payment, intent = _start(stripe_api, order)
    payload = _succeeded(intent)
    if tamper == "secret":
        answer = _deliver(payload, secret="whsec_someoneelse")
    else:
        body, signature = stripe_fake.signed(payload)
        if tamper == "body":
            body = body.replace(b'"succeeded"', b'"succeeded" ', 1)
        else:
            signature = "t=1,v1=00"
        answer = Client().post(
            "/payments/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_HOST="localhost",
            HTTP_STRIPE_SIGNATURE=signature,
        )

    assert answer.status_code == 400
    assert not WebhookEvent.objects.exists()
    with schema_context(ALPHA.schema_name):
        order.refresh_from_db()
        assert order.status == Order.Status.PENDING


def test_a_payment_after_expiry_with_seats_left_still_makes_a_paid_order(stripe_api, shop):
    order = _online_order(shop)
    _payment, intent = _start(stripe_api, order)
    with schema_context(ALPHA.schema_name):
        Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        orders_expire()

    _deliver(_succeeded(intent))

    with schema_context(ALPHA.schema_name):
        order.refresh_from_db()
        assert order.status == Order.Status.PAID


def test_a_payment_after_expiry_with_no_seat_left_is_refunded_and_the_buyer_told(
    stripe_api, shop, django_capture_on_commit_callbacks
):
    order = _online_order(shop, quantity=2)  # the date holds 2
    _payment, intent = _start(stripe_api, order)
    with schema_context(ALPHA.schema_name):
        Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        order_create(  # expires the hold, takes both seats
            distribution=shop.box_office,
            lines=[OrderLine(ticket_type=shop.day_ticket, quantity=2)],
            email="counter@example.com",
            payment_method=Order.PaymentMethod.CASH,
        )
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/refunds",
        json={"id": "re_test1", "object": "refund", "amount": 2000, "status": "succeeded"},
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = _deliver(_succeeded(intent))

    assert answer.status_code == 200
    refund = stripe_api.calls[-1].request
    assert refund.url == f"{stripe_fake.API}/v1/refunds"
    assert refund.headers["Stripe-Account"] == ACCOUNT
    body = stripe_fake.form(refund)
    assert (body["payment_intent"], body["amount"], body["refund_application_fee"]) == (
        intent["id"],
        "2000",
        "true",
    )
    with schema_context(ALPHA.schema_name):
        order.refresh_from_db()
        assert order.status == Order.Status.REFUNDED
        assert DateStock.objects.get(event_date=shop.dates[0]).sold == 2  # the counter sale's, no more
        assert Payment.objects.get(intent_id=intent["id"]).refunded_amount == Decimal("20.00")
    (notice,) = [m for m in mail.outbox if m.to == ["buyer@example.com"]]
    assert "refunded" in notice.subject


def test_the_return_page_poll_reconciles_without_the_webhook(stripe_api, shop):
    order = _online_order(shop)
    payment, intent = _start(stripe_api, order)
    stripe_api.add(
        responses.GET,
        f"{stripe_fake.API}/v1/payment_intents/{intent['id']}",
        json={**intent, "status": "succeeded", "amount_received": intent["amount"]},
    )

    with schema_context(ALPHA.schema_name):
        payments.payment_reconcile(payment_id=payment.pk)
        order.refresh_from_db()

    assert stripe_api.calls[-1].request.headers["Stripe-Account"] == ACCOUNT
    assert order.status == Order.Status.PAID


def test_account_updates_and_unknown_accounts(stripe_api, shop):
    updated = stripe_fake.event(
        "account.updated",
        {
            "id": ACCOUNT,
            "object": "account",
            "charges_enabled": False,
            "payouts_enabled": True,
            "details_submitted": True,
        },
        account=ACCOUNT,
    )
    stranger = stripe_fake.event(
        "payment_intent.succeeded",
        stripe_fake.payment_intent(amount=100, status="succeeded"),
        account="acct_unknown",
    )

    assert _deliver(updated).json()["outcome"] == "account updated"
    assert _deliver(stranger).json()["outcome"] == "unknown account"
    account = ConnectedAccount.objects.get(stripe_account_id=ACCOUNT)
    assert (account.charges_enabled, account.payouts_enabled) == (False, True)


def test_onboarding_creates_the_account_once_and_links_to_stripe(stripe_api, shop, alpha):
    ConnectedAccount.objects.all().delete()
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/accounts",
        json={"id": "acct_1New", "object": "account", "charges_enabled": False, "details_submitted": False},
    )
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/account_links",
        json={
            "object": "account_link",
            "url": "https://connect.stripe.com/setup/e/acct_1New/abc",
            "expires_at": 0,
        },
    )

    with schema_context(ALPHA.schema_name):
        urls = [
            payments.connected_account_onboard(
                organizer=shop.organizer,
                email="boss@example.com",
                refresh_url="http://alpha.localhost/control/payments/",
                return_url="http://alpha.localhost/control/payments/done/",
            )
            for _ in range(2)
        ]

    assert urls == ["https://connect.stripe.com/setup/e/acct_1New/abc"] * 2
    assert [c.request.url.rsplit("/", 1)[-1] for c in stripe_api.calls] == [
        "accounts",
        "account_links",
        "account_links",
    ]
    assert stripe_fake.form(stripe_api.calls[1].request)["account"] == "acct_1New"
    assert ConnectedAccount.objects.get().schema_name == alpha.schema_name


def test_without_platform_keys_payment_is_unavailable(stripe_api, shop):
    with schema_context("public"):
        PlatformStripeAccount.objects.filter(pk=1).update(stripe_secret_key="", stripe_webhook_secret="")
    order = _online_order(shop)

    with schema_context(ALPHA.schema_name), pytest.raises(payments.PaymentsNotConfigured):
        order_payment_start(order=order)
    assert _deliver(_succeeded(stripe_fake.payment_intent(amount=1))).status_code == 503
    assert json.loads(_deliver(_succeeded(stripe_fake.payment_intent(amount=1))).content)["detail"]


def test_the_platform_fee_comes_from_the_clients_plan_and_overrides(stripe_api, shop, alpha):
    from apps.billing.models import BillingAccount

    account = _client_on_plan(alpha, shop.organizer)  # 0.49 per ticket + 1.50 %
    order = _online_order(shop, quantity=2)  # 2 × 10.00
    _start(stripe_api, order)
    BillingAccount.objects.filter(pk=account.pk).update(percent_fee_override=Decimal("0"))
    with schema_context(ALPHA.schema_name):
        assert application_fee_of(order) == Decimal("0.98")  # the percent overridden to 0

    assert stripe_fake.form(stripe_api.calls[0].request)["application_fee_amount"] == "128"  # 0.98 + 0.30


def test_a_signed_body_nested_past_the_bound_is_a_400(stripe_platform):
    deep = b"[" * 1000 + b"]" * 1000
    timestamp = int(time.time())
    signature = hmac.new(
        stripe_fake.WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + deep, hashlib.sha256
    ).hexdigest()

    answer = Client().post(
        "/payments/stripe/webhook/",
        deep,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={signature}",
    )

    assert answer.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_the_platform_fee_is_billings_answer_to_the_sales_hook_and_capped_at_the_total(
    stripe_api, shop, alpha
):
    from apps.billing.selectors.fees import application_fee_for_order
    from apps.core import hooks

    assert hooks.sale_application_fee._answer is application_fee_for_order  # BillingConfig.ready
    _client_on_plan(alpha, shop.organizer, fixed_fee=Decimal("30.00"))  # more than a ticket
    order = _online_order(shop, quantity=1)  # 10.00

    with schema_context(ALPHA.schema_name):
        assert application_fee_of(order) == order.total == Decimal("10.00")
