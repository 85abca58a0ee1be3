from django.apps import apps
from django.conf import settings

from apps.payments.models import Payment


def payment_of(*, reference: str) -> Payment | None:
    """The latest payment of `reference` (in the current organization's schema)."""
    return Payment.objects.filter(reference=reference).order_by("-pk").first()


def payment_settled_of(*, reference: str) -> Payment | None:
    """The payment that paid for `reference`: succeeded, and not one refunded as unusable."""
    return (
        Payment.objects.filter(reference=reference, status=Payment.Status.SUCCEEDED, unapplied_reason="")
        .order_by("-pk")
        .first()
    )


def stripe_publishable_key() -> str:
    platform = apps.get_model("platform", "PlatformSettings").load()
    return platform.stripe_publishable_key or settings.STRIPE_PUBLISHABLE_KEY
