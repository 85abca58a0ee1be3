"""Issued invoices are charged to the card on file at most once per attempt; declines are
retried on days 3, 5 and 7 with a notice each time, then the account is suspended."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import responses
from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.billing import services
from apps.billing.models import BillingAccount, Invoice
from apps.billing.services.collection import invoice_charge, invoice_mark_paid, invoices_charge_due
from apps.billing.services.run import account_invoice_for_period
from apps.payments.models import Payment
from tests.billing.accounts import account_open_on as _account
from tests.payments import stripe_fake

DECLINED = {
    "error": {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
    }
}


@pytest.fixture
def client_with_card(organizations, stripe_platform):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    BillingAccount.objects.filter(pk=account.pk).update(
        stripe_customer_id="cus_Tessera1", payment_method_id="pm_Tessera1", card_label="Visa •••• 4242"
    )
    return account


def _issue(account, callbacks):
    with callbacks(execute=True):
        return account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))


def _charges(stripe_api):
    return [c for c in stripe_api.calls if c.request.url.endswith("/v1/payment_intents")]


def test_an_issued_invoice_is_charged_off_session_and_paid(
    stripe_api, client_with_card, django_capture_on_commit_callbacks
):
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/payment_intents",
        json=stripe_fake.payment_intent(amount=3900, status="succeeded"),
    )

    invoice = _issue(client_with_card, django_capture_on_commit_callbacks)

    invoice.refresh_from_db()
    (call,) = _charges(stripe_api)
    body = stripe_fake.form(call.request)
    assert "Stripe-Account" not in call.request.headers  # the platform's own account
    assert call.request.headers["Idempotency-Key"] == f"charge:invoice:{invoice.pk}:1"
    assert (body["amount"], body["currency"], body["customer"], body["payment_method"]) == (
        "3900",
        "eur",
        "cus_Tessera1",
        "pm_Tessera1",
    )
    assert (body["off_session"], body["confirm"]) == ("true", "true")
    assert (invoice.status, invoice.amount_paid, invoice.next_charge_on) == (
        Invoice.Status.PAID,
        Decimal("39.00"),
        None,
    )
    assert invoice_charge(invoice_id=invoice.pk) == "not due"
    assert len(_charges(stripe_api)) == 1


def test_declines_are_retried_on_days_3_5_7_then_the_account_is_suspended(
    stripe_api,
    client_with_card,
    django_capture_on_commit_callbacks,
):
    stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=DECLINED, status=402)
    invoice = _issue(client_with_card, django_capture_on_commit_callbacks)
    issued = timezone.localdate(invoice.issued_at)
    schedule = []
    for day in (3, 5, 7):
        invoice.refresh_from_db()
        schedule.append(
            (invoice.next_charge_on, client_with_card.__class__.objects.get(pk=client_with_card.pk).status)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert invoices_charge_due(today=issued + timedelta(days=day - 1)) == 0  # not yet
            assert invoices_charge_due(today=issued + timedelta(days=day)) == 1

    invoice.refresh_from_db()
    account = BillingAccount.objects.get(pk=client_with_card.pk)
    assert schedule == [
        (issued + timedelta(days=3), BillingAccount.Status.PAST_DUE),
        (issued + timedelta(days=5), BillingAccount.Status.PAST_DUE),
        (issued + timedelta(days=7), BillingAccount.Status.PAST_DUE),
    ]
    assert (invoice.status, invoice.charge_attempts, invoice.next_charge_on) == (Invoice.Status.OPEN, 4, None)
    assert "insufficient funds" in invoice.last_charge_error
    assert account.status == BillingAccount.Status.SUSPENDED
    keys = [c.request.headers["Idempotency-Key"] for c in _charges(stripe_api)]
    assert keys == [f"charge:invoice:{invoice.pk}:{n}" for n in (1, 2, 3, 4)]
    notices = [m.subject for m in mail.outbox if "Invoice" not in m.subject]
    assert len(notices) == 4
    assert "suspended" in notices[-1]

    invoice_mark_paid(invoice_id=invoice.pk, actor=services.SYSTEM)  # a bank transfer

    assert BillingAccount.objects.get(pk=client_with_card.pk).status == BillingAccount.Status.ACTIVE


def test_a_charge_lost_with_its_task_is_made_by_the_daily_run(
    stripe_api, client_with_card, django_capture_on_commit_callbacks
):
    stripe_api.add(
        responses.POST,
        f"{stripe_fake.API}/v1/payment_intents",
        json=stripe_fake.payment_intent(amount=3900, status="succeeded"),
    )
    with django_capture_on_commit_callbacks(execute=False):  # the worker died: nothing queued ran
        invoice = account_invoice_for_period(account_id=client_with_card.pk, on=date(2026, 4, 10))
    assert _charges(stripe_api) == []

    with django_capture_on_commit_callbacks(execute=True):
        invoices_charge_due(today=timezone.localdate(invoice.issued_at))
        invoices_charge_due(today=timezone.localdate(invoice.issued_at))

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert len(_charges(stripe_api)) == 1


def test_without_a_card_the_invoice_waits_open(
    stripe_api, organizations, stripe_platform, django_capture_on_commit_callbacks
):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))

    invoice = _issue(account, django_capture_on_commit_callbacks)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.next_charge_on) == (Invoice.Status.OPEN, None)
    assert _charges(stripe_api) == []


def test_a_payment_confirmed_later_by_webhook_pays_the_invoice(
    stripe_api, client_with_card, django_capture_on_commit_callbacks
):
    pending = stripe_fake.payment_intent(amount=3900, status="requires_action")
    stripe_api.add(responses.POST, f"{stripe_fake.API}/v1/payment_intents", json=pending)
    invoice = _issue(client_with_card, django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert Payment.objects.get(intent_id=pending["id"]).status == Payment.Status.PENDING

    succeeded = {
        **pending,
        "status": "succeeded",
        "amount_received": 3900,
        "metadata": {"schema": "public", "reference": f"invoice:{invoice.pk}"},
    }
    body, signature = stripe_fake.signed(stripe_fake.event("payment_intent.succeeded", succeeded))
    answer = Client().post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert answer.json()["outcome"] == "succeeded"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert json.loads(body)["account"] is None  # the platform's own account
