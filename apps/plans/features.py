"""The generation (apps.core.cache) of clients' plan features, in the public schema.

Billing caches each client's features under it (billing.selectors.organizers_features, the
answer to core.hooks.organizers_features that the permission module asks on every sale at
the box office). A client's features are its plan's with its overrides winning, so the
services that change a plan's features (apps.plans.services) and those that open a client
account or change its plan or overrides (apps.billing.services) drop it in their
transaction; nothing else does (no receivers)."""

from django_tenants.utils import get_public_schema_name

from apps.core.cache import generation_bump

FEATURES = "features"


def features_changed() -> None:
    """Drop every client's cached features (at once, and again once the write commits)."""
    generation_bump(schema_name=get_public_schema_name(), name=FEATURES)
