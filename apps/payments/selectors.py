from django.apps import apps
from django.conf import settings

from apps.payments.models import Payment


def payment_of(*, reference: str) -> Payment | None:
    """The latest payment of `reference` (in the current organization's schema)."""
    return Payment.objects.filter(reference=reference).order_by("-pk").first()


def stripe_publishable_key() -> str:
    platform = apps.get_model("platform", "PlatformSettings").load()
    return platform.stripe_publishable_key or settings.STRIPE_PUBLISHABLE_KEY
