"""Invoices charged to the card on file against the fake Stripe server (localstripe): the card
is saved through a SetupIntent confirmed as Stripe.js does, then charged off-session; a
declined card leaves the client past due until a working card is saved; the platform's own
payment events come back through the one webhook endpoint to the public schema."""

import time
from datetime import date
from decimal import Decimal

import stripe
from django.core import mail

from apps.billing import services
from apps.billing.models import BillingAccount, Invoice
from apps.billing.services.card_on_file import card_on_file_finish, card_on_file_start
from apps.billing.services.collection import invoice_charge
from apps.billing.services.run import account_invoice_for_period
from apps.payments.models import Payment, WebhookEvent
from tests.billing.accounts import account_open_on as _account
from tests.payments import stripe_fake
from tests.payments.fixtures import localstripe_confirm


def _save_card(account: BillingAccount, base_url: str, card: str) -> BillingAccount:
    """The client's admin types a card on the billing page."""
    client_secret = card_on_file_start(account_id=account.pk)
    confirmed = localstripe_confirm(base_url, client_secret=client_secret, card=card)
    assert confirmed["status"] == "succeeded", confirmed
    return card_on_file_finish(account_id=account.pk, setup_intent_id=confirmed["id"], actor=services.SYSTEM)


def _issue(account: BillingAccount, callbacks) -> Invoice:
    with callbacks(execute=True):
        invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    invoice.refresh_from_db()
    return invoice


def _intent(base_url: str, payment: Payment) -> dict:
    client = stripe.StripeClient(stripe_fake.SECRET_KEY, base_addresses={"api": base_url})
    return client.v1.payment_intents.retrieve(payment.intent_id).to_dict()


def test_an_invoice_is_charged_off_session_to_the_saved_card(
    organizations,
    platform_on_localstripe,
    django_capture_on_commit_callbacks,
):
    account = _save_card(
        _account(organizations["alpha"], signed_up=date(2026, 3, 10)),
        platform_on_localstripe,
        "4242424242424242",
    )
    assert account.stripe_customer_id.startswith("cus_")
    assert account.card_label.endswith("4242")

    invoice = _issue(account, django_capture_on_commit_callbacks)

    assert (invoice.status, invoice.amount_paid, invoice.charge_attempts) == (
        Invoice.Status.PAID,
        invoice.total,
        1,
    )
    payment = Payment.objects.get(purpose="invoice", object_id=invoice.pk)
    intent = _intent(platform_on_localstripe, payment)
    assert (intent["status"], intent["amount"], intent["currency"]) == ("succeeded", 3900, "eur")
    assert (intent["customer"], intent["payment_method"]) == (
        account.stripe_customer_id,
        account.payment_method_id,
    )
    assert invoice_charge(invoice_id=invoice.pk) == "not due"
    assert Payment.objects.filter(purpose="invoice", object_id=invoice.pk).count() == 1


def test_a_declined_card_leaves_the_client_past_due_until_a_working_card_pays(
    organizations,
    platform_on_localstripe,
    django_capture_on_commit_callbacks,
):
    account = _save_card(
        _account(organizations["alpha"], signed_up=date(2026, 3, 10)),
        platform_on_localstripe,
        "4000000000000341",
    )

    invoice = _issue(account, django_capture_on_commit_callbacks)

    account.refresh_from_db()
    assert (invoice.status, invoice.charge_attempts, invoice.last_charge_error) == (
        Invoice.Status.OPEN,
        1,
        "Your card was declined.",
    )
    assert account.status == BillingAccount.Status.PAST_DUE
    assert len([m for m in mail.outbox if "Invoice" not in m.subject]) == 1  # the decline notice

    with django_capture_on_commit_callbacks(execute=True):
        account = _save_card(account, platform_on_localstripe, "4242424242424242")

    invoice.refresh_from_db()
    account.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.charge_attempts) == (
        Invoice.Status.PAID,
        Decimal("39.00"),
        2,
    )
    assert account.status == BillingAccount.Status.ACTIVE


def test_the_platforms_payment_events_come_back_to_the_public_schema_once(
    fresh_organization,
    localstripe_webhooks,
    platform_on_localstripe,
    django_capture_on_commit_callbacks,
):
    organization = fresh_organization(name="Billed parks", slug="billed")
    account = _save_card(
        _account(organization, signed_up=date(2026, 3, 10), slug="billed"),
        platform_on_localstripe,
        "4242424242424242",
    )

    invoice = _issue(account, django_capture_on_commit_callbacks)
    assert invoice.status == Invoice.Status.PAID

    payment = Payment.objects.get(purpose="invoice", object_id=invoice.pk)
    deadline = time.monotonic() + 15
    # (localstripe may still deliver an earlier test's events: those find no payment here)
    events = WebhookEvent.objects.filter(
        type="payment_intent.succeeded", account="", outcome__in=["succeeded", "already succeeded"]
    )
    while not events.exists():
        assert time.monotonic() < deadline, "localstripe's webhook did not arrive"
        time.sleep(0.2)
    (event,) = events
    assert (event.schema_name, event.outcome) == ("public", "already succeeded")
    assert _intent(platform_on_localstripe, payment)["metadata"] == {
        "schema": "public",
        "reference": f"invoice:{invoice.pk}",
    }
    assert Invoice.objects.get(pk=invoice.pk).amount_paid == Decimal("39.00")


def test_another_clients_setup_intent_does_not_become_your_card_on_file(
    organizations, platform_on_localstripe
):
    import pytest

    from apps.payments.exceptions import AccountNotReady

    victim = _account(organizations["beta"], signed_up=date(2026, 3, 10))
    victims_setup = localstripe_confirm(
        platform_on_localstripe,
        client_secret=card_on_file_start(account_id=victim.pk),
        card="4242424242424242",
    )
    attacker = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    card_on_file_start(account_id=attacker.pk)  # the attacker has a customer of its own

    with pytest.raises(AccountNotReady, match="not yours"):
        card_on_file_finish(
            account_id=attacker.pk, setup_intent_id=victims_setup["id"], actor=services.SYSTEM
        )

    attacker.refresh_from_db()
    assert (attacker.payment_method_id, attacker.card_label) == ("", "")
