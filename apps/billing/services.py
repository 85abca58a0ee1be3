"""Writes on plans, their prices and the exchange rates."""

from collections.abc import Mapping
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from apps.billing.exceptions import LastPrice, NoPrice
from apps.billing.models import BillingAccount, ExchangeRate, Plan, PlanPrice, SalesMonth
from apps.billing.selectors import (
    account_price,
    default_currency,
    first_of_month,
    months_back,
    plan_price_for_country,
)
from apps.core.audit import Actor, audit_log

SYSTEM = Actor(user=None)

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


def _check_fields(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"not updatable: {', '.join(sorted(unknown))}")


def _save(instance: Model, actor: Actor, action: str, **data) -> Model:
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
    return _save(plan, actor, "plan.updated", fields=sorted(changes))


@transaction.atomic
def plan_delete(*, plan: Plan, actor: Actor = SYSTEM) -> None:
    """Delete a plan and its prices."""
    audit_log(actor=actor, action="plan.deleted", target=plan)
    plan.delete()


# --- prices ---------------------------------------------------------------------------


def _save_price(price: PlanPrice, actor: Actor, action: str, **data) -> PlanPrice:
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


def _save_rate(exchange_rate: ExchangeRate, actor: Actor, action: str, **data) -> ExchangeRate:
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


# --- clients (billing accounts) ---------------------------------------------------------


def billing_account_open(
    *,
    organization,
    organizer_id: int,
    organizer_name: str,
    organizer_slug: str,
    country: str,
    plan: Plan,
    contact_email: str = "",
    actor: Actor = SYSTEM,
) -> BillingAccount:
    """Open the client account of a new organizer on `plan`, billed in the plan's price
    currency for its country (own, converted, or the default when it cannot be billed),
    anchored on today's day of the month. Idempotent per (organization, organizer)."""
    existing = BillingAccount.objects.filter(organization=organization, organizer_id=organizer_id).first()
    if existing is not None:
        return existing
    now = timezone.now()
    account = BillingAccount(
        organization=organization,
        organizer_id=organizer_id,
        organizer_name=organizer_name,
        organizer_slug=organizer_slug,
        country=country,
        plan=plan,
        currency=plan_price_for_country(plan=plan, country=country).currency,
        signed_up_at=now,
        billing_anchor_day=timezone.localdate(now).day,
        contact_email=contact_email,
    )
    with transaction.atomic():
        return _save(account, actor, "client.opened", plan=plan.slug, organizer=organizer_slug)


CLIENT_FIELDS = (
    "plan",
    "status",
    "contact_email",
    "notes",
    *(f"{name}_override" for name in BillingAccount.PRICE_OVERRIDES),
    *(f"{name}_override" for name in BillingAccount.FEATURE_OVERRIDES),
)


def _audit_value(value: Any) -> Any:
    if isinstance(value, Plan):
        return value.slug
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def billing_account_update(*, account_id: int, changes: Mapping[str, Any], actor: Actor) -> BillingAccount:
    """Change a client's plan, status, contact, notes or overrides (None: back to the plan's).

    Amounts must fit the account's currency; a plan must be able to price the account's
    currency (its own price, or one in the default currency). Audited with each changed
    field's old and new value; nothing changed, nothing recorded.
    """
    _check_fields(changes, CLIENT_FIELDS)
    account = BillingAccount.objects.select_for_update().select_related("plan").get(pk=account_id)
    changed = {}
    for field, value in changes.items():
        old = getattr(account, field)
        if old != value:
            changed[field] = {"from": _audit_value(old), "to": _audit_value(value)}
            setattr(account, field, value)
    if not changed:
        return account
    account.full_clean()
    if "plan" in changed:
        try:
            account_price(account)
        except NoPrice as exc:
            raise ValidationError({"plan": str(exc)}) from exc
    account.save()
    audit_log(actor=actor, action="client.updated", target=account, fields=sorted(changed), changes=changed)
    return account


# --- clients' monthly sales (read from their schemas, kept in the public table) ---------------


def sales_month_refresh(*, account: BillingAccount, month) -> SalesMonth:
    """Count a client's paid ticket sales of one month from its own schema: tickets still
    valid (refunded and cancelled ones no longer count) of orders paid in that month."""
    from apps.sales.models import Order, Ticket

    start = timezone.make_aware(datetime.combine(month, time.min))
    end = timezone.make_aware(datetime.combine(months_back(month, -1), time.min))
    with schema_context(account.organization.schema_name):
        tickets = Ticket.objects.filter(
            status=Ticket.Status.VALID,
            order__organizer_id=account.organizer_id,
            order__status=Order.Status.PAID,
            order__paid_at__gte=start,
            order__paid_at__lt=end,
        )
        totals = tickets.aggregate(
            tickets=Count("pk"),
            orders=Count("order", distinct=True),
            gross=Sum("price"),
            currency=Max("order__currency"),
        )
    row, _created = SalesMonth.objects.update_or_create(
        account=account,
        month=month,
        defaults={
            "tickets": totals["tickets"],
            "orders": totals["orders"],
            "gross": totals["gross"] or Decimal(0),
            "currency": totals["currency"] or account.currency,
        },
    )
    return row


def sales_months_refresh(*, today=None) -> int:
    """Refresh this month's sales of every client of a live organization, and in the first
    days of a month last month's too (late payments and refunds close it). Returns how many
    accounts were counted."""
    today = today or timezone.localdate()
    current = first_of_month(today)
    months = (months_back(current, 1), current) if today.day <= 3 else (current,)
    accounts = BillingAccount.objects.select_related("organization").filter(organization__status="ready")
    count = 0
    for account in accounts.iterator():
        for month in months:
            sales_month_refresh(account=account, month=month)
        count += 1
    return count
