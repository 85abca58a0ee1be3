"""The platform's settings page saved as one: each part written by the app that owns it, in
one transaction, audited once."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from apps.accounts.services import facebook_app_update
from apps.billing.services.invoicing import invoice_issuer_update
from apps.core.audit import Actor, audit_log
from apps.core.models import Branding
from apps.core.singletons import singleton_update
from apps.payments.services import platform_stripe_account_update
from apps.plans.services import pricing_settings_update
from apps.platform.models import PlatformConfiguration, PlatformSettings
from apps.platform.selectors import platform_brand_forget, platform_configuration
from apps.tenancy import services as tenancy


def platform_settings_update(*, changes: Mapping[str, Any], actor: Actor) -> PlatformConfiguration:
    """Write the given settings of the platform's settings page, each to the app that owns it
    (brand, hosts, Stripe account, Facebook app, invoice issuer, the platform's own), validated, in one
    transaction, and audit it once: the field names, and the values of all but the secrets.
    The cached brand and base domain are dropped once the change is committed."""
    by_part: dict[str, dict[str, Any]] = {part: {} for part in PlatformConfiguration.PARTS}
    for name, value in changes.items():
        by_part[PlatformConfiguration.part_of(name)][name] = value
    with schema_context(get_public_schema_name()), transaction.atomic():
        # The platform's row first, always: it locks the page's save, and the audit names it.
        platform = singleton_update(PlatformSettings, changes=by_part["platform"])
        configuration = platform_configuration(platform=platform)
        if by_part["brand"]:
            configuration.brand = singleton_update(Branding, changes=by_part["brand"])
        if by_part["hosts"]:
            configuration.hosts = tenancy.host_settings_update(changes=by_part["hosts"])
        if by_part["stripe"]:
            configuration.stripe = platform_stripe_account_update(changes=by_part["stripe"])
        if by_part["pricing"]:
            configuration.pricing = pricing_settings_update(changes=by_part["pricing"])
        if by_part["invoicing"]:
            configuration.invoicing = invoice_issuer_update(changes=by_part["invoicing"])
        if by_part["facebook"]:
            configuration.facebook = facebook_app_update(changes=by_part["facebook"])
        audit_log(
            actor=actor,
            action="platform.settings_changed",
            target=platform,
            fields=sorted(changes),
            values={
                name: _audit_value(configuration, name)
                for name in changes
                if name not in PlatformConfiguration.SECRET_FIELDS
            },
        )
        transaction.on_commit(platform_brand_forget)
    return configuration


def _audit_value(configuration: PlatformConfiguration, name: str) -> str | bool:
    value = getattr(configuration, name)
    if isinstance(value, bool):
        return value
    if name == "logo":
        return value.name or ""
    return "" if value is None else str(value)
