"""Stripe records: the platform's own Stripe account, connected accounts and processed
webhook events (public schema, where the one webhook endpoint routes from), payments and
refunds (each organization's schema).

The app is in SHARED_APPS and TENANT_APPS, so every table exists on both sides; the public
ones hold PlatformStripeAccount, ConnectedAccount and WebhookEvent rows, organization
schemas Payment and Refund.
"""

from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.singletons import PublicSingleton, mask_secret

AMOUNT: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}

validate_stripe_secret_key = RegexValidator(
    r"^(sk|rk)_(test|live)_[0-9A-Za-z]+$", _("A Stripe secret key starts with sk_test_ or sk_live_.")
)
validate_stripe_publishable_key = RegexValidator(
    r"^pk_(test|live)_[0-9A-Za-z]+$", _("A Stripe publishable key starts with pk_test_ or pk_live_.")
)
validate_stripe_webhook_secret = RegexValidator(
    r"^whsec_[0-9A-Za-z]+$", _("A Stripe webhook signing secret starts with whsec_.")
)
validate_stripe_connect_client_id = RegexValidator(
    r"^ca_[0-9A-Za-z]+$", _("A Stripe Connect client id starts with ca_.")
)


class PlatformStripeAccount(PublicSingleton):
    """The platform owner's Stripe account (one row, public schema): its keys, the webhook
    signing secret and the Connect client id; empty values fall back to the environment's."""

    FIELDS = (
        "stripe_secret_key",
        "stripe_publishable_key",
        "stripe_webhook_secret",
        "stripe_connect_client_id",
    )
    SECRET_FIELDS = ("stripe_secret_key", "stripe_webhook_secret")  # never shown back

    stripe_secret_key = models.CharField(
        _("Stripe secret key"), max_length=255, blank=True, validators=[validate_stripe_secret_key]
    )
    stripe_publishable_key = models.CharField(
        _("Stripe publishable key"), max_length=255, blank=True, validators=[validate_stripe_publishable_key]
    )
    stripe_webhook_secret = models.CharField(
        _("Stripe webhook signing secret"),
        max_length=255,
        blank=True,
        validators=[validate_stripe_webhook_secret],
    )
    stripe_connect_client_id = models.CharField(
        _("Stripe Connect client id"),
        max_length=255,
        blank=True,
        validators=[validate_stripe_connect_client_id],
    )

    class Meta:
        verbose_name = _("platform Stripe account")
        verbose_name_plural = _("platform Stripe account")

    def __str__(self) -> str:
        return str(_("Platform Stripe account"))

    @property
    def stripe_secret_key_masked(self) -> str:
        return mask_secret(self.stripe_secret_key)

    @property
    def stripe_webhook_secret_masked(self) -> str:
        return mask_secret(self.stripe_webhook_secret)


class ConnectedAccount(models.Model):
    """An organizer's own Stripe account, connected to the platform's (public: webhooks name
    the account, and this row names the organization that owns it)."""

    stripe_account_id = models.CharField(_("Stripe account"), max_length=64, unique=True)
    # By schema name, not a foreign key: this table also exists (empty) in every
    # organization schema, where a key to tenancy would block flushing the public one.
    schema_name = models.CharField(max_length=63)
    organizer_id = models.PositiveIntegerField()
    charges_enabled = models.BooleanField(_("can take payments"), default=False)
    payouts_enabled = models.BooleanField(_("can receive payouts"), default=False)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("connected Stripe account")
        verbose_name_plural = _("connected Stripe accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["schema_name", "organizer_id"], name="payments_one_account_per_organizer"
            )
        ]

    def __str__(self) -> str:
        return self.stripe_account_id


class WebhookEvent(models.Model):
    """A Stripe event received at the webhook endpoint; its unique id makes handling happen once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=64, blank=True)
    schema_name = models.CharField(max_length=63, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("Stripe webhook event")
        verbose_name_plural = _("Stripe webhook events")

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


def payment_reference(purpose: str, object_id: int) -> str:
    """How Stripe is told what a payment is for ("order:42"): its metadata and idempotency
    keys. Built here only; our own tables say it as `purpose` and `object_id`."""
    return f"{purpose}:{object_id}"


class Payment(models.Model):
    """A PaymentIntent on an organizer's connected account (or the platform's own), for one
    thing sold: its `purpose` (the kind of thing, which names the app that handles its
    outcome through apps.core.hooks.payment_succeeded) and that thing's id."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the buyer")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Cancelled")

    purpose = models.CharField(
        _("paid for"), max_length=32, help_text=_("The kind of thing paid for, e.g. order or invoice.")
    )
    object_id = models.PositiveBigIntegerField(_("id of what is paid for"))
    intent_id = models.CharField(max_length=255, unique=True)
    client_secret = models.CharField(max_length=255, blank=True)
    stripe_account_id = models.CharField(max_length=64)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3)
    application_fee = models.DecimalField(_("platform fee"), default=0, **AMOUNT)
    refunded_amount = models.DecimalField(_("refunded"), default=0, **AMOUNT)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # What Stripe says was taken, which the thing sold checks against its own total.
    amount_received = models.DecimalField(_("received"), null=True, blank=True, **AMOUNT)
    # A payment that cannot become what it paid for is refunded in full: due until done.
    refund_due = models.BooleanField(_("refund due"), default=False)
    unapplied_reason = models.CharField(_("why it was refunded"), max_length=200, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["purpose", "object_id"], name="payments_paid_for"),
            models.Index(
                fields=["refund_due"], condition=models.Q(refund_due=True), name="payments_refund_due"
            ),
        ]

    def __str__(self) -> str:
        return self.intent_id

    @property
    def reference(self) -> str:
        return payment_reference(self.purpose, self.object_id)

    @property
    def refundable(self) -> Decimal:
        """What was taken and is not yet given back."""
        received = self.amount if self.amount_received is None else self.amount_received
        return received - self.refunded_amount


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    refund_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    # The share of the payment's application fee Stripe gave back with it (refund_application_fee).
    application_fee_refunded = models.DecimalField(_("platform fee refunded"), default=0, **AMOUNT)
    status = models.CharField(max_length=32)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return self.refund_id
