"""Writes on the plan catalogue: plans, their prices, add-on prices and exchange rates.

Every write that can change what a client may use (a plan's features, a plan deleted) drops
the cached features of clients (apps.plans.features.features_changed) itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.core.singletons import singleton_update
from apps.plans.exceptions import LastPrice, PlanInUse
from apps.plans.features import features_changed
from apps.plans.models import AddonPrice, ExchangeRate, Plan, PlanPrice, PricingSettings
from apps.plans.selectors import default_currency

SYSTEM = Actor(user=None)

M = TypeVar("M", bound=Model)

PLAN_FIELDS = (
    "name",
    "slug",
    "description",
    "is_public",
    "sort_order",
    "event_replication",
    "box_office",
    "custom_domain",
    "max_operators",
    "template_schema",
)
PRICE_FIELDS = ("currency", "monthly_fee", "setup_fee", "fixed_fee", "percent_fee")
ADDON_PRICE_FIELDS = ("feature", "currency", "monthly_fee")


def _check_fields(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"not updatable: {', '.join(sorted(unknown))}")


def _save(instance: M, actor: Actor, action: str, **data: Any) -> M:
    instance.full_clean()
    instance.save()
    audit_log(actor=actor, action=action, target=instance, **data)
    return instance


# --- plans ----------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, price: Mapping[str, Any], actor: Actor = SYSTEM, **fields: Any) -> Plan:
    """Create a plan with its first price (`price`: currency, monthly_fee, setup_fee,
    fixed_fee, percent_fee): a plan always has at least one."""
    _check_fields(fields, PLAN_FIELDS)
    plan = _save(Plan(**fields), actor, "plan.created")
    plan_price_create(plan=plan, actor=actor, **price)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, actor: Actor = SYSTEM, **changes: Any) -> Plan:
    _check_fields(changes, PLAN_FIELDS)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    for field, value in changes.items():
        setattr(plan, field, value)
    plan = _save(plan, actor, "plan.updated", fields=sorted(changes))
    features_changed()  # its clients' features are the plan's where not overridden
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, actor: Actor = SYSTEM) -> None:
    """Delete a plan and its prices; one that clients or signups are on is refused (409)."""
    try:
        with transaction.atomic():
            audit_log(actor=actor, action="plan.deleted", target=plan)
            plan.delete()
            features_changed()
    except ProtectedError as exc:
        raise PlanInUse(
            _("“%(plan)s” cannot be deleted: %(count)d clients or signups are on it.")
            % {"plan": plan.name, "count": len(exc.protected_objects)}
        ) from exc


# --- prices ---------------------------------------------------------------------------


def _save_price(price: PlanPrice, actor: Actor, action: str, **data: Any) -> PlanPrice:
    """Validate (one price per currency answered on the currency field), save, audit."""
    errors: dict[str, list[str]] = {}
    try:
        price.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    taken = PlanPrice.objects.filter(plan_id=price.plan_id, currency=price.currency).exclude(pk=price.pk)
    if "currency" not in errors and taken.exists():
        errors["currency"] = [
            _("This plan already has a price in %(currency)s.") % {"currency": price.currency}
        ]
    if errors:
        raise ValidationError(errors)
    price.save()
    audit_log(actor=actor, action=action, target=price, **data)
    return price


@transaction.atomic
def plan_price_create(
    *,
    plan: Plan,
    currency: str,
    monthly_fee: Decimal,
    setup_fee: Decimal = Decimal(0),
    fixed_fee: Decimal = Decimal(0),
    percent_fee: Decimal = Decimal(0),
    actor: Actor = SYSTEM,
) -> PlanPrice:
    Plan.objects.select_for_update().get(pk=plan.pk)  # one price writer per plan at a time
    price = PlanPrice(
        plan=plan,
        currency=currency.upper(),
        monthly_fee=monthly_fee,
        setup_fee=setup_fee,
        fixed_fee=fixed_fee,
        percent_fee=percent_fee,
    )
    return _save_price(price, actor, "plan_price.created", plan=plan.pk)


@transaction.atomic
def plan_price_update(*, price: PlanPrice, actor: Actor = SYSTEM, **changes: Any) -> PlanPrice:
    """Change a price's currency or fees (it stays with its plan)."""
    _check_fields(changes, PRICE_FIELDS)
    Plan.objects.select_for_update().get(pk=price.plan_id)
    price = PlanPrice.objects.get(pk=price.pk)
    for field, value in changes.items():
        setattr(price, field, value.upper() if field == "currency" else value)
    return _save_price(price, actor, "plan_price.updated", plan=price.plan_id, fields=sorted(changes))


@transaction.atomic
def plan_price_delete(*, price: PlanPrice, actor: Actor = SYSTEM) -> None:
    """Delete a price, unless it is its plan's last one."""
    plan = Plan.objects.select_for_update().get(pk=price.plan_id)
    if not plan.prices.exclude(pk=price.pk).exists():
        raise LastPrice(
            _("%(plan)s needs at least one price: add another before deleting its %(currency)s price.")
            % {"plan": plan, "currency": price.currency}
        )
    audit_log(actor=actor, action="plan_price.deleted", target=price, plan=plan.pk)
    price.delete()


# --- exchange rates -------------------------------------------------------------------


def _save_rate(exchange_rate: ExchangeRate, actor: Actor, action: str, **data: Any) -> ExchangeRate:
    if exchange_rate.currency == default_currency():
        raise ValidationError(
            {
                "currency": _("%(currency)s is the default currency: prices convert from it.")
                % {"currency": exchange_rate.currency}
            }
        )
    return _save(exchange_rate, actor, action, **data)


@transaction.atomic
def exchange_rate_create(*, currency: str, rate: Decimal, actor: Actor = SYSTEM) -> ExchangeRate:
    return _save_rate(ExchangeRate(currency=currency.upper(), rate=rate), actor, "exchange_rate.created")


@transaction.atomic
def exchange_rate_update(
    *, exchange_rate: ExchangeRate, actor: Actor = SYSTEM, **changes: Any
) -> ExchangeRate:
    _check_fields(changes, ("currency", "rate"))
    exchange_rate = ExchangeRate.objects.select_for_update().get(pk=exchange_rate.pk)
    for field, value in changes.items():
        setattr(exchange_rate, field, value.upper() if field == "currency" else value)
    return _save_rate(exchange_rate, actor, "exchange_rate.updated", fields=sorted(changes))


@transaction.atomic
def exchange_rate_set(*, currency: str, rate: Decimal, actor: Actor = SYSTEM) -> ExchangeRate:
    """Create or change the rate of `currency`."""
    existing = ExchangeRate.objects.filter(currency=currency.upper()).first()
    if existing is None:
        return exchange_rate_create(currency=currency, rate=rate, actor=actor)
    return exchange_rate_update(exchange_rate=existing, rate=rate, actor=actor)


@transaction.atomic
def exchange_rate_delete(*, exchange_rate: ExchangeRate, actor: Actor = SYSTEM) -> None:
    audit_log(actor=actor, action="exchange_rate.deleted", target=exchange_rate)
    exchange_rate.delete()


# --- add-on prices ----------------------------------------------------------------------


def _save_addon_price(price: AddonPrice, actor: Actor, action: str, **data: Any) -> AddonPrice:
    """Validate (one price per feature and currency, answered on the currency field), save, audit."""
    errors: dict[str, list[str]] = {}
    try:
        price.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    taken = AddonPrice.objects.filter(feature=price.feature, currency=price.currency).exclude(pk=price.pk)
    if "currency" not in errors and "feature" not in errors and taken.exists():
        errors["currency"] = [
            _("This add-on already has a price in %(currency)s.") % {"currency": price.currency}
        ]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            price.save()
    except IntegrityError as exc:  # written at the same moment by someone else
        raise ValidationError(
            {"currency": _("This add-on already has a price in %(currency)s.") % {"currency": price.currency}}
        ) from exc
    audit_log(actor=actor, action=action, target=price, feature=price.feature, **data)
    return price


@transaction.atomic
def addon_price_create(
    *, feature: str, currency: str, monthly_fee: Decimal, actor: Actor = SYSTEM
) -> AddonPrice:
    """Price a feature as a monthly add-on in one currency."""
    price = AddonPrice(feature=feature, currency=currency.upper(), monthly_fee=monthly_fee)
    return _save_addon_price(price, actor, "addon_price.created", monthly_fee=str(monthly_fee))


@transaction.atomic
def addon_price_update(*, price: AddonPrice, actor: Actor = SYSTEM, **changes: Any) -> AddonPrice:
    _check_fields(changes, ADDON_PRICE_FIELDS)
    price = AddonPrice.objects.select_for_update().get(pk=price.pk)
    for field, value in changes.items():
        setattr(price, field, value.upper() if field == "currency" else value)
    return _save_addon_price(price, actor, "addon_price.updated", fields=sorted(changes))


@transaction.atomic
def addon_price_delete(*, price: AddonPrice, actor: Actor = SYSTEM) -> None:
    """Delete a price; a feature left without any price is a free add-on."""
    audit_log(actor=actor, action="addon_price.deleted", target=price, feature=price.feature)
    price.delete()


def pricing_settings_update(*, changes: Mapping[str, Any]) -> PricingSettings:
    """Write how plans are priced (the platform's settings page saves it with the rest)."""
    return singleton_update(PricingSettings, changes=changes)
