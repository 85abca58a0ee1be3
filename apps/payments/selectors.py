from django.conf import settings

from apps.payments.models import Payment, PlatformStripeAccount


def payment_of(*, purpose: str, object_id: int) -> Payment | None:
    """The latest payment for what `purpose` and `object_id` name (in the current schema)."""
    return Payment.objects.filter(purpose=purpose, object_id=object_id).order_by("-pk").first()


def payment_settled_of(*, purpose: str, object_id: int) -> Payment | None:
    """The payment that paid for it: succeeded, and not one refunded as unusable."""
    return (
        Payment.objects.filter(
            purpose=purpose, object_id=object_id, status=Payment.Status.SUCCEEDED, unapplied_reason=""
        )
        .order_by("-pk")
        .first()
    )


def stripe_publishable_key() -> str:
    platform = PlatformStripeAccount.stored()
    return platform.stripe_publishable_key or settings.STRIPE_PUBLISHABLE_KEY
