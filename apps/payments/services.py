"""Stripe Connect through the official SDK: onboarding organizers' accounts, PaymentIntents
on them with the platform's fee, refunds, and the one webhook endpoint's event handling.

Every create carries an idempotency key, so a retried request never charges twice; every
webhook event is handled once (WebhookEvent's unique id, under a row lock), whatever the
order or number of deliveries. A succeeded payment is handed, by its purpose, to the app
that owns what it paid for (apps.core.hooks.payment_succeeded); payments knows nothing of
orders or invoices.
"""

import logging
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from stripe.params import PaymentIntentCreateParams

from apps.core import hooks
from apps.core.exceptions import DomainError
from apps.core.json_input import json_parse
from apps.core.money import from_minor_units, quantize, to_minor_units
from apps.core.schemas import current_schema
from apps.core.singletons import singleton_update
from apps.organizers.models import Organizer
from apps.payments.exceptions import (
    AccountNotReady,
    BadWebhook,
    PaymentsNotConfigured,
    PaymentsUnavailable,
    PaymentUnderway,
)
from apps.payments.models import (
    ConnectedAccount,
    Payment,
    PlatformStripeAccount,
    Refund,
    WebhookEvent,
    payment_reference,
)

logger = logging.getLogger(__name__)

# What Stripe is sent and answers, past the SDK's objects (plain): plain JSON data.
StripeData = Mapping[str, Any]


class IntentParams(PaymentIntentCreateParams, total=False):
    # The SDK's types (of its newer API version) know only allowed_payment_method_types; these
    # requests send payment_method_types, as they always have.
    payment_method_types: list[str]


def _credentials() -> tuple[str, str]:
    """The platform's Stripe secret key and webhook signing secret: its settings page's,
    else the environment's."""
    platform = PlatformStripeAccount.stored()
    return (
        platform.stripe_secret_key or settings.STRIPE_SECRET_KEY,
        platform.stripe_webhook_secret or settings.STRIPE_WEBHOOK_SECRET,
    )


def platform_stripe_account_update(*, changes: Mapping[str, Any]) -> PlatformStripeAccount:
    """Write the given values of the platform's Stripe account, validated, in the caller's
    transaction (read afresh by every Stripe call: nothing cached). The caller audits."""
    return singleton_update(PlatformStripeAccount, changes=changes)


def plain(stripe_object: stripe.StripeObject) -> dict[str, Any]:
    """SDK objects are not dicts; handle plain data past the boundary."""
    return stripe_object.to_dict()


def stripe_client() -> stripe.StripeClient:
    secret_key, _webhook_secret = _credentials()
    if not secret_key:
        raise PaymentsNotConfigured()
    return stripe.StripeClient(
        api_key=secret_key,
        base_addresses={"api": settings.STRIPE_API_BASE, "connect": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


# --- connected accounts (called in the organization's schema) --------------------------


def connected_account_onboard(*, organizer: Organizer, email: str, refresh_url: str, return_url: str) -> str:
    """The Stripe onboarding link of the organizer's connected account, made on first use."""
    client = stripe_client()
    schema_name = current_schema()  # the organization's
    with schema_context(get_public_schema_name()):
        account = ConnectedAccount.objects.filter(schema_name=schema_name, organizer_id=organizer.pk).first()
        if account is None:
            created = plain(
                client.v1.accounts.create(
                    params={
                        "type": "express",
                        "country": str(organizer.country) or "FR",
                        "email": email,
                        "business_profile": {"name": organizer.name},
                        "metadata": {"schema": schema_name, "organizer": str(organizer.pk)},
                    },
                    options={"idempotency_key": f"account:{schema_name}:{organizer.pk}"},
                )
            )
            account = ConnectedAccount.objects.create(
                stripe_account_id=created["id"],
                schema_name=schema_name,
                organizer_id=organizer.pk,
                charges_enabled=bool(created.get("charges_enabled")),
                payouts_enabled=bool(created.get("payouts_enabled")),
                details_submitted=bool(created.get("details_submitted")),
            )
    link = plain(
        client.v1.account_links.create(
            params={
                "account": account.stripe_account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            }
        )
    )
    url: str = link["url"]
    return url


def connected_account_of(organizer: Organizer) -> ConnectedAccount | None:
    """The organizer's connected account (read in its organization's schema)."""
    schema_name = current_schema()
    with schema_context(get_public_schema_name()):
        return ConnectedAccount.objects.filter(schema_name=schema_name, organizer_id=organizer.pk).first()


def connected_account_sync(
    *, stripe_account_id: str, data: StripeData | None = None
) -> ConnectedAccount | None:
    """Refresh an account's abilities from Stripe (or from an account.updated event's data)."""
    if data is None:
        data = plain(stripe_client().v1.accounts.retrieve(stripe_account_id))
    with schema_context(get_public_schema_name()):
        account = ConnectedAccount.objects.filter(stripe_account_id=stripe_account_id).first()
        if account is None:
            return None
        account.charges_enabled = bool(data.get("charges_enabled"))
        account.payouts_enabled = bool(data.get("payouts_enabled"))
        account.details_submitted = bool(data.get("details_submitted"))
        account.save(update_fields=["charges_enabled", "payouts_enabled", "details_submitted", "updated_at"])
        return account


# --- payments (in the organization's schema) --------------------------------------------


@transaction.atomic
def payment_start(
    *,
    purpose: str,
    object_id: int,
    amount: Decimal,
    currency: str,
    organizer: Organizer,
    application_fee: Decimal = Decimal(0),
    description: str = "",
) -> Payment:
    """A PaymentIntent on the organizer's account for what `purpose` and `object_id` name
    (an order, say), with the platform's fee.

    A pending one for the same amount, currency and fee is reused (a buyer reloading
    checkout); one for anything else is cancelled and replaced, so an intent never charges
    what that thing no longer costs."""
    paid_for = Payment.objects.filter(purpose=purpose, object_id=object_id)
    pending = paid_for.select_for_update().filter(status=Payment.Status.PENDING)
    for payment in pending.order_by("pk"):
        if (payment.amount, payment.currency, payment.application_fee) == (amount, currency, application_fee):
            return payment
        payment_cancel(payment_id=payment.pk)
    account = connected_account_of(organizer)
    if account is None or not account.charges_enabled:
        raise AccountNotReady()
    attempt = paid_for.count() + 1
    reference = payment_reference(purpose, object_id)
    schema_name = current_schema()
    params: IntentParams = {
        "amount": to_minor_units(amount, currency),
        "currency": currency.lower(),
        "payment_method_types": ["card"],
        "metadata": {
            "schema": schema_name,
            "reference": reference,
            "description": description[:500],
        },
    }
    if application_fee > 0:
        params["application_fee_amount"] = to_minor_units(application_fee, currency)
    try:
        intent = plain(
            stripe_client().v1.payment_intents.create(
                params=params,
                options={
                    "stripe_account": account.stripe_account_id,
                    "idempotency_key": f"intent:{schema_name}:{reference}:{attempt}",
                },
            )
        )
    except stripe.StripeError as exc:
        raise PaymentsUnavailable() from exc
    return Payment.objects.create(
        purpose=purpose,
        object_id=object_id,
        intent_id=intent["id"],
        client_secret=intent.get("client_secret") or "",
        stripe_account_id=account.stripe_account_id,
        amount=amount,
        currency=currency,
        application_fee=application_fee,
    )


# Intent states Stripe no longer cancels because money is moving or has moved.
_UNDERWAY = ("processing", "succeeded", "requires_capture")


@transaction.atomic
def payment_cancel(*, payment_id: int) -> Payment:
    """Cancel a pending payment's intent on Stripe, so it can no longer be paid.

    Raises PaymentUnderway when the buyer has already paid (or is paying) it: its outcome
    then arrives as for any payment; PaymentsUnavailable when Stripe cannot be reached."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    intents = stripe_client().v1.payment_intents
    options: stripe.RequestOptions = {"stripe_account": payment.stripe_account_id}
    try:
        try:
            intents.cancel(payment.intent_id, options=options)
        except stripe.InvalidRequestError:
            # Refused: the intent is no longer cancellable; its state says why.
            state = plain(intents.retrieve(payment.intent_id, options=options)).get("status")
            if state in _UNDERWAY:
                raise PaymentUnderway() from None
            if state != "canceled":
                raise
    except stripe.StripeError as exc:
        raise PaymentsUnavailable() from exc
    payment.status = Payment.Status.CANCELED
    payment.save(update_fields=["status"])
    return payment


def payment_reconcile(*, payment_id: int, not_within: timedelta | None = None) -> Payment:
    """Ask Stripe for the intent's state and apply it (the buyer's return page polls this).

    `not_within`: ask at most once in that time, whoever asks (a page reloaded in a loop
    costs Stripe one request per interval); the webhook settles it meanwhile."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    now = timezone.now()
    if not_within is not None:
        due = Q(checked_at__isnull=True) | Q(checked_at__lte=now - not_within)
        if not Payment.objects.filter(due, pk=payment.pk).update(checked_at=now):
            return payment
    try:
        intent = plain(
            stripe_client().v1.payment_intents.retrieve(
                payment.intent_id, options={"stripe_account": payment.stripe_account_id}
            )
        )
    except stripe.StripeError as exc:
        raise PaymentsUnavailable() from exc
    with transaction.atomic():
        _intent_apply(intent)
    payment.refresh_from_db()
    return payment


_INTENT_STATUS: dict[str, Payment.Status | None] = {
    "succeeded": Payment.Status.SUCCEEDED,
    "canceled": Payment.Status.CANCELED,
    "requires_payment_method": None,  # a failed attempt the buyer may retry: still pending
}


def _intent_apply(intent: StripeData, *, failed: bool = False) -> str:
    """Bring our Payment in line with a PaymentIntent, once: a succeeded payment stays so,
    whatever arrives after it, and a success after a failed attempt still counts (events
    arrive in any order). Money received that is not what the payment asked for is refunded,
    never applied. Runs in the payment's schema, inside a transaction."""
    payment = Payment.objects.select_for_update().filter(intent_id=intent["id"]).first()
    if payment is None:
        return "unknown payment"
    if payment.status == Payment.Status.SUCCEEDED:
        return "already succeeded"
    status = Payment.Status.FAILED if failed else _INTENT_STATUS.get(intent["status"])
    if status is None or status == payment.status:
        return "no change"
    payment.status = status
    if status != Payment.Status.SUCCEEDED:
        payment.save(update_fields=["status"])
        return str(status)
    currency = str(intent.get("currency") or payment.currency).upper()
    received = intent.get("amount_received")
    payment.amount_received = from_minor_units(intent["amount"] if received is None else received, currency)
    payment.succeeded_at = timezone.now()
    payment.save(update_fields=["status", "amount_received", "succeeded_at"])
    if (payment.amount_received, currency) != (payment.amount, payment.currency):
        payment_refund_due(payment_id=payment.pk, reason=REASON_AMOUNT)
        return f"refunded: {REASON_AMOUNT}"
    if payment.purpose not in hooks.payment_succeeded:
        # Nobody can use it (an app left out of INSTALLED_APPS, a purpose since removed):
        # answering Stripe with an error would only have it retry; the buyer gets it back.
        logger.error("payment %s is for %r, which no installed app handles", payment.pk, payment.reference)
        payment_refund_due(payment_id=payment.pk, reason=REASON_UNKNOWN_PURPOSE)
        return f"refunded: {REASON_UNKNOWN_PURPOSE}"
    hooks.payment_succeeded.dispatch(payment.purpose, payment.object_id, payment.pk)
    return str(status)


def application_fee_share(payment: Payment, amount: Decimal) -> Decimal:
    """The part of the payment's application fee a refund of `amount` gives back: in proportion
    to the amount, as Stripe refunds it; the refund that empties the payment gives back the rest,
    so a payment refunded in parts returns its whole fee, never a cent more or less."""
    if payment.refunded_amount + amount >= payment.amount:
        given_back = payment.refunds.aggregate(total=Sum("application_fee_refunded"))["total"] or Decimal(0)
        return payment.application_fee - given_back
    return quantize(payment.application_fee * amount / payment.amount, payment.currency)


def payment_refund(*, payment_id: int, amount: Decimal, reason: str = "") -> Refund:
    """Refund part or all of a payment on the connected account; the platform's fee is
    refunded in proportion (Stripe's refund_application_fee)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.SUCCEEDED:
            raise AccountNotReady(_("Only a succeeded payment can be refunded."))
        if amount <= 0 or amount > payment.refundable:
            raise AccountNotReady(_("A refund cannot exceed what was paid and not yet refunded."))
        refunded_before = to_minor_units(payment.refunded_amount, payment.currency)
        try:
            refund = plain(
                stripe_client().v1.refunds.create(
                    params={
                        "payment_intent": payment.intent_id,
                        "amount": to_minor_units(amount, payment.currency),
                        "refund_application_fee": True,
                        "metadata": {"reference": payment.reference, "reason": reason[:500]},
                    },
                    options={
                        "stripe_account": payment.stripe_account_id,
                        "idempotency_key": f"refund:{current_schema()}:{payment.intent_id}:{refunded_before}",
                    },
                )
            )
        except stripe.StripeError as exc:
            raise PaymentsUnavailable() from exc
        fee_back = application_fee_share(payment, amount)
        payment.refunded_amount += amount
        payment.save(update_fields=["refunded_amount"])
        return Refund.objects.create(
            payment=payment,
            refund_id=refund["id"],
            amount=amount,
            application_fee_refunded=fee_back,
            status=refund.get("status", ""),
            reason=reason,
        )


# Why a payment could not become what it paid for (Payment.unapplied_reason).
REASON_AMOUNT = "amount differs"
REASON_SOLD_OUT = "sold out"
REASON_CLOSED = "order closed"
REASON_ALREADY_PAID = "already paid"
REASON_UNKNOWN_PURPOSE = "nothing to pay for"


def payment_refund_due(*, payment_id: int, reason: str) -> Payment:
    """A succeeded payment that cannot become what it paid for is refunded in full.

    The debt is recorded in the caller's transaction, then refunded at once; if Stripe
    cannot be reached, it stays due and `payments_refund_due_settle` (beat) refunds it."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.SUCCEEDED or payment.refundable <= 0:
            return payment
        payment.refund_due = True
        payment.unapplied_reason = reason[:200]
        payment.save(update_fields=["refund_due", "unapplied_reason"])
    return _refund_due_try(payment)


def _refund_due_try(payment: Payment) -> Payment:
    try:
        with transaction.atomic():
            if payment.refundable > 0:
                payment_refund(
                    payment_id=payment.pk, amount=payment.refundable, reason=payment.unapplied_reason
                )
            Payment.objects.filter(pk=payment.pk).update(refund_due=False)
    except PaymentsUnavailable:
        logger.warning("refund of payment %s (%s) left due: Stripe unreachable", payment.pk, current_schema())
    payment.refresh_from_db()
    return payment


def payments_refund_due_settle() -> int:
    """Refund every payment still due a refund in this schema; returns how many were refunded."""
    settled = 0
    for payment in Payment.objects.filter(refund_due=True).order_by("pk"):
        settled += not _refund_due_try(payment).refund_due
    return settled


# --- the webhook endpoint ---------------------------------------------------------------


def webhook_receive(*, payload: bytes, signature: str) -> str:
    """Verify a Stripe webhook and handle its event once; returns what was done."""
    _secret_key, webhook_secret = _credentials()
    if not webhook_secret:
        raise PaymentsNotConfigured()
    try:
        json_parse(payload)  # the SDK's own json.loads has no bound on nesting
    except ValueError as exc:
        raise BadWebhook(_("The webhook's body is not a Stripe event.")) from exc
    try:
        event = plain(stripe.Webhook.construct_event(payload, signature, webhook_secret))
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise BadWebhook(_("The webhook's signature does not verify.")) from exc
    return _event_handle(event)


@transaction.atomic
def _event_handle(event: StripeData) -> str:
    with schema_context(get_public_schema_name()):
        row, _created = WebhookEvent.objects.get_or_create(
            event_id=event["id"], defaults={"type": event["type"], "account": event.get("account") or ""}
        )
        row = WebhookEvent.objects.select_for_update().get(pk=row.pk)
        if row.processed_at is not None:
            return "duplicate"
        account = ConnectedAccount.objects.filter(stripe_account_id=row.account).first()
        schema_name = account.schema_name if account else _platform_schema_of(event)
    try:
        with transaction.atomic():
            outcome = _dispatch(event, schema_name)
    except DomainError as exc:
        # Answering Stripe with an error would only have it retry the same refusal for days.
        logger.exception("webhook event %s refused by its handler", event["id"])
        outcome = f"refused: {exc}"
    with schema_context(get_public_schema_name()):
        row.processed_at = timezone.now()
        row.schema_name = schema_name
        row.outcome = outcome[:200]
        row.save(update_fields=["processed_at", "schema_name", "outcome"])
    return outcome


def _platform_schema_of(event: StripeData) -> str:
    """Events of the platform's own account (no `account`) about its own PaymentIntents —
    clients paying invoices — are handled in the public schema."""
    metadata = (event["data"]["object"] or {}).get("metadata") or {}
    own = not event.get("account") and metadata.get("schema") == get_public_schema_name()
    return get_public_schema_name() if own else ""


def _dispatch(event: StripeData, schema_name: str) -> str:
    kind, data = event["type"], event["data"]["object"]
    if kind == "account.updated":
        connected_account_sync(stripe_account_id=data["id"], data=data)
        return "account updated"
    if not kind.startswith("payment_intent."):
        return "ignored"
    if not schema_name:
        return "unknown account"
    with schema_context(schema_name):
        if kind == "payment_intent.succeeded":
            return _intent_apply(data)
        if kind in ("payment_intent.payment_failed", "payment_intent.canceled"):
            return _intent_apply(data, failed=kind.endswith("payment_failed"))
    return "ignored"
