"""The platform's own Stripe account (public schema): its clients' Customers, the cards they
save (SetupIntents) and the charges of their invoices. Billing calls these; organizers' sales
go through apps.payments.services on their connected accounts."""

from dataclasses import dataclass
from decimal import Decimal

import stripe
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name
from stripe.params import SetupIntentCreateParams

from apps.core.money import to_minor_units
from apps.payments.exceptions import AccountNotReady, PaymentsUnavailable
from apps.payments.models import Payment, payment_reference
from apps.payments.services import IntentParams, plain, stripe_client


class _SetupIntentParams(SetupIntentCreateParams, total=False):
    # The SDK's types (of its newer API version) know only allowed_payment_method_types; these
    # requests send payment_method_types, as they always have.
    payment_method_types: list[str]


def platform_customer_ensure(*, customer_id: str, email: str, name: str, metadata: dict[str, str]) -> str:
    """The Stripe Customer of a client on the platform's account: the given one, else a new
    one (idempotent per client through `metadata["client"]`)."""
    if customer_id:
        return customer_id
    try:
        customer = plain(
            stripe_client().v1.customers.create(
                params={"email": email, "name": name[:256], "metadata": metadata},
                options={"idempotency_key": f"customer:{metadata.get('client', email)}"},
            )
        )
    except stripe.StripeError as exc:
        raise PaymentsUnavailable() from exc
    created_id: str = customer["id"]
    return created_id


def card_setup_start(*, customer_id: str) -> str:
    """A SetupIntent for the client's card on file; returns its client secret for Stripe.js."""
    params: _SetupIntentParams = {
        "customer": customer_id,
        "payment_method_types": ["card"],
        "usage": "off_session",
    }
    try:
        intent = plain(stripe_client().v1.setup_intents.create(params=params))
    except stripe.StripeError as exc:
        raise PaymentsUnavailable() from exc
    client_secret: str = intent["client_secret"]
    return client_secret


def card_setup_finish(*, setup_intent_id: str, customer_id: str) -> tuple[str, str]:
    """The card a succeeded SetupIntent of `customer_id` saved: (payment method id, "Visa •••• 4242").

    Another customer's SetupIntent (an id read elsewhere and posted here) is refused."""
    if not customer_id:
        raise AccountNotReady(_("The card was not saved; please try again."))
    try:
        intent = plain(stripe_client().v1.setup_intents.retrieve(setup_intent_id))
        if intent.get("customer") != customer_id:
            raise AccountNotReady(_("This card setup is not yours; please enter your card again."))
        if intent.get("status") != "succeeded" or not intent.get("payment_method"):
            raise AccountNotReady(_("The card was not saved; please try again."))
        method = plain(stripe_client().v1.payment_methods.retrieve(intent["payment_method"]))
    except stripe.StripeError as exc:
        raise PaymentsUnavailable() from exc
    card = method.get("card") or {}
    label = f"{str(card.get('brand', 'card')).title()} •••• {card.get('last4', '????')}"
    return method["id"], label


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    payment: Payment | None
    error: str = ""


def platform_charge(
    *,
    purpose: str,
    object_id: int,
    amount: Decimal,
    currency: str,
    customer_id: str,
    payment_method_id: str,
    attempt: int,
) -> ChargeResult:
    """Charge a client's card on file (off-session) on the platform's account for what
    `purpose` and `object_id` name (an invoice), once per attempt (idempotency key). Runs in
    the public schema; a declined card is a result, not an exception."""
    reference = payment_reference(purpose, object_id)
    key = f"charge:{reference}:{attempt}"
    params: IntentParams = {
        "amount": to_minor_units(amount, currency),
        "currency": currency.lower(),
        "customer": customer_id,
        "payment_method": payment_method_id,
        "payment_method_types": ["card"],
        "off_session": True,
        "confirm": True,
        "metadata": {"schema": get_public_schema_name(), "reference": reference},
    }
    try:
        intent = plain(
            stripe_client().v1.payment_intents.create(params=params, options={"idempotency_key": key})
        )
    except stripe.CardError as exc:
        return ChargeResult(succeeded=False, payment=None, error=str(exc.user_message or exc)[:300])
    except stripe.StripeError as exc:
        raise PaymentsUnavailable() from exc
    payment, _created = Payment.objects.get_or_create(
        intent_id=intent["id"],
        defaults={
            "purpose": purpose,
            "object_id": object_id,
            "stripe_account_id": "",
            "amount": amount,
            "currency": currency,
            "status": Payment.Status.SUCCEEDED if intent["status"] == "succeeded" else Payment.Status.PENDING,
            "succeeded_at": timezone.now() if intent["status"] == "succeeded" else None,
        },
    )
    return ChargeResult(succeeded=payment.status == Payment.Status.SUCCEEDED, payment=payment)
