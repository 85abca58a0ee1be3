"""Writes on plans, their prices and the exchange rates."""

import calendar
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Model, Sum
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing.exceptions import AlreadyBilled, LastPrice, NoPrice, PlanInUse
from apps.billing.models import (
    AddonPrice,
    BillingAccount,
    BillingAdjustment,
    ExchangeRate,
    Feature,
    Invoice,
    InvoiceLine,
    Plan,
    PlanPrice,
    SalesMonth,
    decimals_errors,
)
from apps.billing.selectors import (
    account_addons,
    account_price,
    currency_convert,
    default_currency,
    first_of_month,
    months_back,
    plan_price_for_country,
)
from apps.core.audit import Actor, audit_log
from apps.core.models import Branding
from apps.core.money import quantize

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
    """Delete a plan and its prices; one that clients or signups are on is refused (409)."""
    try:
        with transaction.atomic():
            audit_log(actor=actor, action="plan.deleted", target=plan)
            plan.delete()
    except ProtectedError as exc:
        raise PlanInUse(
            _("“%(plan)s” cannot be deleted: %(count)d clients or signups are on it.")
            % {"plan": plan.name, "count": len(exc.protected_objects)}
        ) from exc


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


# --- add-on prices ----------------------------------------------------------------------

ADDON_PRICE_FIELDS = ("feature", "currency", "monthly_fee")


def _save_addon_price(price: AddonPrice, actor: Actor, action: str, **data) -> AddonPrice:
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
    _check_fields(changes, (*CLIENT_FIELDS, "addons"))
    account = BillingAccount.objects.select_for_update().select_related("plan").get(pk=account_id)
    if "addons" in changes:
        changes = {**changes}
        changes.update(_addons_as_overrides(account, changes.pop("addons"), changes))
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
    if changed.keys() & {"plan", *(f"{feature}_override" for feature in Feature.values)}:
        try:
            account_addons(account)
        except NoPrice as exc:  # an add-on its invoices could not price
            field = next((f"{f}_override" for f in Feature.values if f"{f}_override" in changed), "plan")
            raise ValidationError({field: str(exc)}) from exc
    account.save()
    audit_log(actor=actor, action="client.updated", target=account, fields=sorted(changed), changes=changed)
    return account


# --- one-off adjustments of a client's next invoice ----------------------------------------


@transaction.atomic
def billing_adjustment_create(
    *, account_id: int, description: str, amount: Decimal, actor: Actor
) -> BillingAdjustment:
    """Add a one-off charge (amount above zero) or credit (below zero), in the client's billing
    currency, to its next monthly invoice. Audited on the client."""
    account = BillingAccount.objects.select_for_update().get(pk=account_id)
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = [_("Say what the charge or credit is for: it is printed on the invoice.")]
    if amount is None or amount == 0:
        errors["amount"] = [_("Enter an amount other than zero: above zero charges, below zero credits.")]
    else:
        errors.update(decimals_errors({"amount": amount}, account.currency))
    if errors:
        raise ValidationError(errors)
    adjustment = BillingAdjustment(
        account=account,
        description=description[:300],
        amount=quantize(amount, account.currency),
        currency=account.currency,
        created_by=getattr(actor.user, "email", "") or "",
    )
    adjustment.full_clean()
    adjustment.save()
    audit_log(
        actor=actor,
        action="client.adjustment_added",
        target=account,
        adjustment=adjustment.pk,
        description=adjustment.description,
        amount=str(adjustment.amount),
        currency=adjustment.currency,
    )
    return adjustment


@transaction.atomic
def billing_adjustment_delete(*, adjustment_id: int, actor: Actor, account_id: int | None = None) -> None:
    """Withdraw an adjustment that is not billed yet (`account_id`, when given, must be its
    client's). The client's row is locked as the billing run locks it: the run either billed it
    before (Conflict) or will not see it."""
    account_of = BillingAdjustment.objects.filter(pk=adjustment_id).values_list("account_id", flat=True)
    owner = account_of.first()
    if owner is None or (account_id is not None and owner != account_id):
        raise BillingAdjustment.DoesNotExist
    account = BillingAccount.objects.select_for_update().get(pk=owner)
    adjustment = BillingAdjustment.objects.select_related("invoice").get(pk=adjustment_id)
    if adjustment.invoice_id is not None:
        raise AlreadyBilled(
            _("This adjustment is billed on invoice %(number)s already: correct that invoice instead.")
            % {"number": adjustment.invoice.number}
        )
    audit_log(
        actor=actor,
        action="client.adjustment_deleted",
        target=account,
        adjustment=adjustment.pk,
        description=adjustment.description,
        amount=str(adjustment.amount),
        currency=adjustment.currency,
    )
    adjustment.delete()


def _addons_as_overrides(account: BillingAccount, features, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The feature overrides that give the client exactly the add-ons `features`: each one on
    (its plan lacks it), every other add-on back to the plan's value."""
    features = set(features)
    errors = []
    for feature in sorted(features):
        if feature not in Feature.values:
            errors.append(_("“%(feature)s” is not a feature.") % {"feature": feature})
        elif getattr(account.plan, feature) and "plan" not in changes:
            errors.append(
                _("%(feature)s is in the plan already: it is no add-on.")
                % {"feature": Feature(feature).label}
            )
        elif f"{feature}_override" in changes:
            errors.append(
                _("Set %(feature)s either as an add-on or by its override, not both.")
                % {"feature": Feature(feature).label}
            )
    if errors:
        raise ValidationError({"addons": errors})
    overrides = {}
    for feature in Feature.values:
        field = f"{feature}_override"
        if feature in features:
            overrides[field] = True
        elif field not in changes and getattr(account, field) is True and not getattr(account.plan, feature):
            overrides[field] = None
    return overrides


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


# --- the monthly run: one invoice per account and period ---------------------------------------

PAYMENT_TERMS_DAYS = 14
RUN_STATUSES = (BillingAccount.Status.ACTIVE, BillingAccount.Status.PAST_DUE, BillingAccount.Status.SUSPENDED)


def anchor_date(year: int, month: int, day: int) -> date:
    """The account's billing day in that month: 29–31 fall on the month's last day when shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def billing_period_ending(account: BillingAccount, on: date) -> tuple[date, date] | None:
    """The period [start, on) that `on` closes for the account, when `on` is its billing day
    in that month (and after its signup); the first period starts at signup."""
    if on != anchor_date(on.year, on.month, account.billing_anchor_day):
        return None
    signed_up = timezone.localdate(account.signed_up_at)
    if on <= signed_up:
        return None
    previous = months_back(first_of_month(on), 1)
    start = anchor_date(previous.year, previous.month, account.billing_anchor_day)
    return max(start, signed_up), on


def accounts_due(on: date):
    """The accounts whose billing day is `on` (29–31 clamped), of live organizations."""
    last_day = calendar.monthrange(on.year, on.month)[1]
    days = [on.day] if on.day < last_day else list(range(on.day, 32))
    return BillingAccount.objects.filter(
        billing_anchor_day__in=days, status__in=RUN_STATUSES, organization__status="ready"
    ).order_by("pk")


def invoice_number_next(year: int) -> str:
    """INV-<year>-<n>, gapless: the counter moves inside the issuing transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO billing_invoicesequence (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = billing_invoicesequence.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"INV-{year}-{number:06d}"


def account_invoice_for_period(*, account_id: int, on: date) -> Invoice | None:
    """The automatic invoice of the period `on` closes, made once: a second call, a second
    worker or a rerun after a crash finds it (the account row is locked while it is made,
    and a unique constraint backs that up). None when `on` closes no period of the account."""
    with schema_context(get_public_schema_name()):
        try:
            with transaction.atomic():
                account = (
                    BillingAccount.objects.select_for_update()
                    .select_related("plan", "organization")
                    .get(pk=account_id)
                )
                period = billing_period_ending(account, on)
                if period is None:
                    return None
                existing = Invoice.objects.filter(
                    account=account, kind=Invoice.Kind.AUTOMATIC, period_start=period[0]
                )
                if existing.exists():
                    return existing.get()
                return _invoice_issue(account, *period)
        except IntegrityError:
            return Invoice.objects.get(
                account_id=account_id, kind=Invoice.Kind.AUTOMATIC, period_start=period[0]
            )


def _invoice_lines(
    account: BillingAccount, price, start: date, end: date, *, adjustments
) -> tuple[list[InvoiceLine], list[tuple[BillingAdjustment, InvoiceLine]]]:
    """The lines of the invoice of [start, end): monthly fee, setup fee (first invoice), one line
    per paid add-on, transaction fees, then one line per adjustment (returned paired too)."""
    first = not account.invoices.filter(kind=Invoice.Kind.AUTOMATIC).exists()
    period = {"start": start.isoformat(), "end": (end - timedelta(days=1)).isoformat()}
    lines = [
        InvoiceLine(
            kind=InvoiceLine.Kind.MONTHLY_FEE,
            description=_("%(plan)s, %(start)s – %(end)s") % {"plan": account.plan.name, **period},
            unit_amount=price.monthly_fee,
            amount=price.monthly_fee,
        )
    ]
    if first and price.setup_fee:
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.SETUP_FEE,
                description=_("Setup fee"),
                unit_amount=price.setup_fee,
                amount=price.setup_fee,
            )
        )
    for addon in account_addons(account, currency=price.currency):
        if addon.fee is None or not addon.fee.monthly_fee:
            continue  # a free add-on
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.ADDON,
                description=_("%(feature)s (add-on), %(start)s – %(end)s")
                % {"feature": addon.label, **period},
                unit_amount=addon.fee.monthly_fee,
                amount=addon.fee.monthly_fee,
            )
        )
    lines += _transaction_fee_lines(account, price, start, end)
    billed = []
    for adjustment in adjustments:
        amount = adjustment.amount
        if adjustment.currency != price.currency:
            amount = quantize(currency_convert(amount, adjustment.currency, price.currency), price.currency)
        line = InvoiceLine(
            kind=InvoiceLine.Kind.ADJUSTMENT,
            description=adjustment.description,
            unit_amount=amount,
            amount=amount,
        )
        lines.append(line)
        billed.append((adjustment, line))
    for line in lines:  # the lines add up to the total to the cent
        line.amount = quantize(line.amount, price.currency)
    return lines, billed


def _credit_carried_over(total: Decimal, billed: list[tuple[BillingAdjustment, InvoiceLine]]) -> Decimal:
    """How much of the adjustments' credits an invoice cannot use (it would fall below zero):
    that much goes on to the next invoice rather than being lost."""
    credits = -sum((line.amount for _adjustment, line in billed if line.amount < 0), Decimal(0))
    return min(-total, credits) if total < 0 and credits > 0 else Decimal(0)


def _invoice_issue(account: BillingAccount, start: date, end: date) -> Invoice:
    """Make the invoice of [start, end) and bill the pending adjustments on it. The caller holds
    the account's row lock: adjustments are taken under it and linked to their line in this
    transaction, so a rerun or a second worker can never bill one twice."""
    price = account_price(account)
    adjustments = list(
        BillingAdjustment.objects.select_for_update()
        .filter(account=account, invoice__isnull=True)
        .order_by("created_at", "pk")
    )
    lines, billed = _invoice_lines(account, price, start, end, adjustments=adjustments)
    carried = _credit_carried_over(sum((line.amount for line in lines), Decimal(0)), billed)
    if carried:
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.ADJUSTMENT,
                description=_("Credit carried over to the next invoice"),
                unit_amount=carried,
                amount=carried,
            )
        )
    now = timezone.now()
    invoice = Invoice.objects.create(
        account=account,
        kind=Invoice.Kind.AUTOMATIC,
        number=invoice_number_next(end.year),
        status=Invoice.Status.OPEN,
        currency=price.currency,
        period_start=start,
        period_end=end,
        issued_at=now,
        due_date=end + timedelta(days=PAYMENT_TERMS_DAYS),
        total=quantize(sum((line.amount for line in lines), Decimal(0)), price.currency),
    )
    for order, line in enumerate(lines):
        line.invoice = invoice
        line.sort_order = order
    InvoiceLine.objects.bulk_create(lines)
    for adjustment, line in billed:
        taken = BillingAdjustment.objects.filter(pk=adjustment.pk, invoice__isnull=True).update(
            invoice=invoice, invoice_line=line
        )
        if taken != 1:  # never: the rows are locked; if ever, no invoice rather than a double bill
            raise IntegrityError(f"adjustment {adjustment.pk} is already billed")
    if carried:
        BillingAdjustment.objects.create(
            account=account,
            description=_("Credit carried over from %(number)s") % {"number": invoice.number},
            amount=-carried,
            currency=price.currency,
        )
    if invoice.total <= 0:
        invoice.status = Invoice.Status.PAID
        invoice.paid_at = now
        invoice.save(update_fields=["status", "paid_at"])
    audit_log(
        actor=SYSTEM,
        action="invoice.issued",
        target=invoice,
        number=invoice.number,
        total=str(invoice.total),
        adjustments=[adjustment.pk for adjustment, _line in billed],
    )
    from apps.billing.tasks import charge_invoice, send_invoice

    send_invoice.delay_on_commit(schema_name=get_public_schema_name(), invoice_id=invoice.pk)
    if invoice.status == Invoice.Status.OPEN:
        # If this task is lost, the daily charge run still finds it due today.
        invoice.next_charge_on = timezone.localdate()
        invoice.save(update_fields=["next_charge_on"])
        charge_invoice.delay_on_commit(schema_name=get_public_schema_name(), invoice_id=invoice.pk)
    return invoice


def _transaction_fee_lines(account: BillingAccount, price, start: date, end: date) -> list[InvoiceLine]:
    """Fees on the period's ticket sales (paid tickets still valid), minus what Stripe already
    collected as application fees on them, and a credit for tickets of earlier periods
    refunded in this one. Amounts read in the client's schema, converted to the account's
    currency at the stored rates when the organizer sells in another."""
    from apps.payments.models import Payment
    from apps.sales.models import Order, Ticket

    begin, finish = (timezone.make_aware(datetime.combine(day, time.min)) for day in (start, end))
    organizer_tickets = Ticket.objects.filter(order__organizer_id=account.organizer_id, price__gt=0)
    with schema_context(account.organization.schema_name):
        sold = organizer_tickets.filter(
            status=Ticket.Status.VALID,
            order__status=Order.Status.PAID,
            order__paid_at__gte=begin,
            order__paid_at__lt=finish,
        ).aggregate(count=Count("pk"), revenue=Sum("price"), currency=Max("order__currency"))
        refunded_earlier = organizer_tickets.filter(
            voided_at__gte=begin, voided_at__lt=finish, order__paid_at__lt=begin, order__paid_at__isnull=False
        ).aggregate(count=Count("pk"), revenue=Sum("price"), currency=Max("order__currency"))
        order_ids = Order.objects.filter(
            organizer_id=account.organizer_id, paid_at__gte=begin, paid_at__lt=finish
        ).values_list("pk", flat=True)
        collected = Payment.objects.filter(
            status=Payment.Status.SUCCEEDED, purpose=Order.PAYMENT_PURPOSE, object_id__in=list(order_ids)
        ).aggregate(total=Sum("application_fee"), currency=Max("currency"))

    def in_account_currency(amount, currency):
        if not amount:
            return Decimal(0)
        return (
            amount
            if currency in (None, price.currency)
            else currency_convert(amount, currency, price.currency)
        )

    lines = []
    if sold["count"]:
        revenue = in_account_currency(sold["revenue"], sold["currency"])
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.TRANSACTION_FEES,
                description=_("%(count)s tickets × %(fixed)s + %(percent)s %% of %(revenue)s")
                % {
                    "count": sold["count"],
                    "fixed": price.fixed_fee,
                    "percent": price.percent_fee,
                    "revenue": quantize(revenue, price.currency),
                },
                quantity=sold["count"],
                unit_amount=price.fixed_fee,
                amount=price.fixed_fee * sold["count"] + revenue * price.percent_fee / 100,
            )
        )
    collected_amount = in_account_currency(collected["total"], collected["currency"])
    if collected_amount:
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.COLLECTED_FEES,
                description=_("Fees already taken from online payments"),
                unit_amount=-collected_amount,
                amount=-collected_amount,
            )
        )
    if refunded_earlier["count"]:
        revenue = in_account_currency(refunded_earlier["revenue"], refunded_earlier["currency"])
        credit = price.fixed_fee * refunded_earlier["count"] + revenue * price.percent_fee / 100
        lines.append(
            InvoiceLine(
                kind=InvoiceLine.Kind.REFUND_CREDIT,
                description=_("%(count)s tickets of earlier periods refunded")
                % {"count": refunded_earlier["count"]},
                quantity=refunded_earlier["count"],
                unit_amount=-price.fixed_fee,
                amount=-credit,
            )
        )
    return lines


# Billing days this far back whose invoice is missing are made up for by the daily run.
CATCH_UP_DAYS = 7


def billing_run(*, on: date | None = None) -> int:
    """Queue one invoicing task per account due `on` (today), and per account whose billing
    day in the week before passed without its invoice (beat down that day, its task lost, a
    missing exchange rate since added); returns how many."""
    from apps.billing.tasks import invoice_account

    on = on or timezone.localdate()
    queued = 0
    for back in range(CATCH_UP_DAYS, -1, -1):
        day = on - timedelta(days=back)
        due = accounts_due(day).filter(signed_up_at__date__lt=day)
        if back:
            due = due.exclude(invoices__kind=Invoice.Kind.AUTOMATIC, invoices__period_end=day)
        for account_id in due.values_list("pk", flat=True):
            invoice_account.delay(
                schema_name=get_public_schema_name(), account_id=account_id, on=day.isoformat()
            )
            queued += 1
    return queued


def invoice_send(*, invoice_id: int) -> bool:
    """E-mail an issued invoice (PDF attached) to its client, once."""
    from django.template.loader import render_to_string

    from apps.billing.invoices import invoice_pdf
    from apps.core.emails import message_send

    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("account").get(pk=invoice_id)
        if invoice.sent_at is not None or invoice.number is None:
            return False
        to = invoice.account.contact_email or _client_admin_email(invoice.account)
        if not to:
            return False
        context = {"invoice": invoice, "lines": invoice.lines.all(), "platform": Branding.stored()}
        invoice.sent_at = timezone.now()
        invoice.save(update_fields=["sent_at"])
        message_send(
            to=[to],
            subject=_("Invoice %(number)s from %(platform)s")
            % {"number": invoice.number, "platform": context["platform"].name},
            body=render_to_string("billing/email/invoice.txt", context),
            attachments=[(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")],
        )
    return True


def _client_admin_email(account: BillingAccount) -> str:
    from apps.accounts.models import User

    with schema_context(account.organization.schema_name):
        return (
            User.objects.filter(is_operator=True, is_admin=True, is_active=True, is_support=False)
            .order_by("pk")
            .values_list("email", flat=True)
            .first()
            or ""
        )


# --- charging the card on file -----------------------------------------------------------------

# A declined charge is tried again this many days after the invoice was issued; after the last
# one the account is suspended until the invoice is paid.
RETRY_DAYS = (3, 5, 7)


def invoice_charge(*, invoice_id: int) -> str:
    """Charge an open invoice's balance to the client's card on file, at most once per
    attempt (the attempt number is in the idempotency key, and only moves when the result is
    recorded). Declined: the account is past due and the next try scheduled (days 3, 5, 7),
    then suspended; the client is told each time. Returns what happened."""
    from apps.payments.services import platform_charge

    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("account").get(pk=invoice_id)
        account = invoice.account
        if invoice.status != Invoice.Status.OPEN or invoice.balance <= 0:
            return "not due"
        if not account.payment_method_id:
            invoice.next_charge_on = None
            invoice.save(update_fields=["next_charge_on"])
            return "no card on file"
        attempt = invoice.charge_attempts + 1
        result = platform_charge(
            purpose=Invoice.PAYMENT_PURPOSE,
            object_id=invoice.pk,
            amount=invoice.balance,
            currency=invoice.currency,
            customer_id=account.stripe_customer_id,
            payment_method_id=account.payment_method_id,
            attempt=attempt,
        )
        invoice.charge_attempts = attempt
        if result.succeeded:
            invoice.save(update_fields=["charge_attempts"])
            invoice_mark_paid(invoice_id=invoice.pk, actor=SYSTEM, via="card")
            return "paid"
        invoice.last_charge_error = result.error or _("Pending confirmation by the bank.")
        retries_left = RETRY_DAYS[attempt - 1 :] if attempt <= len(RETRY_DAYS) else ()
        issued_on = timezone.localdate(invoice.issued_at)
        invoice.next_charge_on = issued_on + timedelta(days=retries_left[0]) if retries_left else None
        invoice.save(update_fields=["charge_attempts", "last_charge_error", "next_charge_on"])
        account.status = BillingAccount.Status.PAST_DUE if retries_left else BillingAccount.Status.SUSPENDED
        account.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=SYSTEM,
            action="invoice.charge_failed",
            target=invoice,
            attempt=attempt,
            error=invoice.last_charge_error,
        )
        transaction.on_commit(lambda: _dunning_notice(invoice.pk, suspended=not retries_left))
        return "suspended" if not retries_left else "declined"


def invoice_mark_paid(*, invoice_id: int, actor: Actor, via: str = "bank transfer") -> Invoice:
    """Record an invoice as paid (by card or by hand, e.g. a bank transfer), once; the account
    is active again when nothing else is overdue."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("account").get(pk=invoice_id)
        if invoice.status == Invoice.Status.PAID:
            return invoice
        if invoice.status != Invoice.Status.OPEN:
            raise ValidationError(_("Only an open invoice can be marked paid."))
        invoice.status = Invoice.Status.PAID
        invoice.amount_paid = invoice.total
        invoice.paid_at = timezone.now()
        invoice.next_charge_on = None
        invoice.save(update_fields=["status", "amount_paid", "paid_at", "next_charge_on"])
        account = BillingAccount.objects.select_for_update().get(pk=invoice.account_id)
        overdue = account.invoices.filter(status=Invoice.Status.OPEN, charge_attempts__gt=0).exists()
        if (
            account.status in (BillingAccount.Status.PAST_DUE, BillingAccount.Status.SUSPENDED)
            and not overdue
        ):
            account.status = BillingAccount.Status.ACTIVE
            account.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="invoice.paid", target=invoice, via=via)
    return invoice


def _dunning_notice(invoice_id: int, *, suspended: bool) -> None:
    from django.template.loader import render_to_string

    from apps.core.emails import email_send

    with schema_context(get_public_schema_name()):
        invoice = Invoice.objects.select_related("account").get(pk=invoice_id)
        to = invoice.account.contact_email or _client_admin_email(invoice.account)
        if not to:
            return
        subject = (
            _("Your account is suspended: invoice %(number)s is unpaid")
            if suspended
            else _("Payment of invoice %(number)s failed")
        ) % {"number": invoice.number}
        email_send(
            to=[to],
            subject=subject,
            body=render_to_string(
                "billing/email/dunning.txt",
                {"invoice": invoice, "suspended": suspended, "platform": Branding.stored()},
            ),
        )


def invoices_charge_due(*, today: date | None = None) -> int:
    """Queue the charges due today: new invoices whose charge was lost, and the retries."""
    from apps.billing.tasks import charge_invoice

    today = today or timezone.localdate()
    due = list(
        Invoice.objects.filter(status=Invoice.Status.OPEN, next_charge_on__lte=today).values_list(
            "pk", flat=True
        )
    )
    for invoice_id in due:
        charge_invoice.delay(schema_name=get_public_schema_name(), invoice_id=invoice_id)
    return len(due)


def estimate_next_invoice(account: BillingAccount, on: date) -> Decimal:
    """What the invoice of the period `on` closes would come to with today's sales: the same
    lines the run would make (add-ons and pending adjustments included)."""
    price = account_price(account)
    previous = months_back(first_of_month(on), 1)
    start = max(
        anchor_date(previous.year, previous.month, account.billing_anchor_day),
        timezone.localdate(account.signed_up_at),
    )
    pending = account.adjustments.filter(invoice__isnull=True).order_by("created_at", "pk")
    lines, billed = _invoice_lines(account, price, start, on, adjustments=pending)
    total = sum((line.amount for line in lines), Decimal(0))
    return quantize(total + _credit_carried_over(total, billed), price.currency)


def card_on_file_start(*, account_id: int) -> str:
    """Begin saving a client's card: its Stripe Customer (made once) and a SetupIntent whose
    client secret Stripe.js confirms in the browser."""
    from apps.payments.services import card_setup_start, platform_customer_ensure

    with schema_context(get_public_schema_name()):
        account = BillingAccount.objects.get(pk=account_id)
        customer_id = platform_customer_ensure(
            customer_id=account.stripe_customer_id,
            email=account.contact_email or _client_admin_email(account),
            name=account.organizer_name,
            metadata={"client": str(account.pk), "organizer": account.organizer_slug},
        )
        if customer_id != account.stripe_customer_id:
            BillingAccount.objects.filter(pk=account.pk).update(stripe_customer_id=customer_id)
        return card_setup_start(customer_id=customer_id)


def card_on_file_finish(*, account_id: int, setup_intent_id: str, actor: Actor) -> BillingAccount:
    """Keep the card a SetupIntent saved as the client's card on file; what it owes is
    charged to it at once."""
    from apps.payments.services import card_setup_finish

    with schema_context(get_public_schema_name()):
        customer_id = BillingAccount.objects.values_list("stripe_customer_id", flat=True).get(pk=account_id)
    payment_method_id, label = card_setup_finish(setup_intent_id=setup_intent_id, customer_id=customer_id)
    with schema_context(get_public_schema_name()), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account_id)
        account.payment_method_id = payment_method_id
        account.card_label = label
        account.save(update_fields=["payment_method_id", "card_label", "updated_at"])
        audit_log(actor=actor, action="client.card_saved", target=account, card=label)
        today = timezone.localdate()
        account.invoices.filter(status=Invoice.Status.OPEN).update(next_charge_on=today)
        # Robust: the card is saved whatever the broker says; the daily charge run finds these.
        transaction.on_commit(lambda: invoices_charge_due(today=today), robust=True)
    return account


# --- the platform admin's corrections ------------------------------------------------------------


def _issue_number_and_notify(invoice: Invoice) -> None:
    from apps.billing.tasks import send_invoice

    send_invoice.delay_on_commit(schema_name=get_public_schema_name(), invoice_id=invoice.pk)


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the reason is kept with the change.")})
    return reason


def invoice_adjust(
    *, invoice_id: int, actor: Actor, reason: str, total: Decimal | None = None, due_date: date | None = None
) -> Invoice:
    """Change an unpaid invoice's amount (an adjustment line makes up the difference, so its
    lines still add up) or due date, with the reason audited."""
    reason = _reason_required(reason)
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status != Invoice.Status.OPEN:
            raise ValidationError(
                _("Only an unpaid invoice can be changed; use a credit note for a paid one.")
            )
        before = {"total": str(invoice.total), "due_date": str(invoice.due_date)}
        if total is not None and total != invoice.total:
            total = quantize(total, invoice.currency)
            if total < invoice.amount_paid:
                raise ValidationError({"total": _("The total cannot be less than what was already paid.")})
            InvoiceLine.objects.create(
                invoice=invoice,
                kind=InvoiceLine.Kind.ADJUSTMENT,
                description=reason[:300],
                unit_amount=total - invoice.total,
                amount=total - invoice.total,
                sort_order=invoice.lines.count(),
            )
            invoice.total = total
        if due_date is not None:
            invoice.due_date = due_date
        invoice.save(update_fields=["total", "due_date"])
        audit_log(
            actor=actor,
            action="invoice.adjusted",
            target=invoice,
            reason=reason,
            before=before,
            after={"total": str(invoice.total), "due_date": str(invoice.due_date)},
        )
    return invoice


def invoice_manual_create(
    *, account_id: int, description: str, amount: Decimal, due_date: date, actor: Actor
) -> Invoice:
    """An invoice for anything outside the monthly run (a training day…), numbered, e-mailed
    and charged to the card on file on its due date."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account_id)
        amount = quantize(amount, account.currency)
        if amount <= 0:
            raise ValidationError({"amount": _("Enter an amount above zero.")})
        invoice = Invoice.objects.create(
            account=account,
            kind=Invoice.Kind.MANUAL,
            number=invoice_number_next(timezone.localdate().year),
            status=Invoice.Status.OPEN,
            currency=account.currency,
            total=amount,
            issued_at=timezone.now(),
            due_date=due_date,
            next_charge_on=due_date if account.payment_method_id else None,
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            kind=InvoiceLine.Kind.OTHER,
            description=description[:300],
            unit_amount=amount,
            amount=amount,
        )
        audit_log(actor=actor, action="invoice.created_manually", target=invoice, total=str(amount))
        _issue_number_and_notify(invoice)
    return invoice


def invoice_void(*, invoice_id: int, actor: Actor, reason: str) -> Invoice:
    """Cancel an unpaid invoice: it stays, numbered, as void (nothing more is owed)."""
    reason = _reason_required(reason)
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.status != Invoice.Status.OPEN:
            raise ValidationError(
                _("Only an unpaid invoice can be voided; use a credit note for a paid one.")
            )
        invoice.status = Invoice.Status.VOID
        invoice.next_charge_on = None
        invoice.save(update_fields=["status", "next_charge_on"])
        audit_log(actor=actor, action="invoice.voided", target=invoice, reason=reason)
    return invoice


def credit_note_create(*, invoice_id: int, amount: Decimal, actor: Actor, reason: str) -> Invoice:
    """Correct an issued invoice by a credit note (its own number, negative total). On an
    unpaid invoice the credit settles that much of it; on a paid one it is owed to the client."""
    reason = _reason_required(reason)
    with schema_context(get_public_schema_name()), transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if (
            invoice.status not in (Invoice.Status.OPEN, Invoice.Status.PAID)
            or invoice.kind == Invoice.Kind.CREDIT_NOTE
        ):
            raise ValidationError(_("Only an issued invoice can be credited."))
        amount = quantize(amount, invoice.currency)
        credited = -sum(invoice.credit_notes.values_list("total", flat=True), Decimal(0))
        if amount <= 0 or credited + amount > invoice.total:
            raise ValidationError(
                {"amount": _("A credit must be above zero and at most what the invoice still counts.")}
            )
        note = Invoice.objects.create(
            account=invoice.account,
            kind=Invoice.Kind.CREDIT_NOTE,
            number=invoice_number_next(timezone.localdate().year),
            status=Invoice.Status.PAID if invoice.status == Invoice.Status.OPEN else Invoice.Status.OPEN,
            currency=invoice.currency,
            total=-amount,
            amount_paid=-amount if invoice.status == Invoice.Status.OPEN else Decimal(0),
            issued_at=timezone.now(),
            credited_invoice=invoice,
        )
        InvoiceLine.objects.create(
            invoice=note,
            kind=InvoiceLine.Kind.ADJUSTMENT,
            description=_("Credit on %(number)s: %(reason)s") % {"number": invoice.number, "reason": reason},
            unit_amount=-amount,
            amount=-amount,
        )
        if invoice.status == Invoice.Status.OPEN:
            invoice.amount_paid += amount
            invoice.save(update_fields=["amount_paid"])
        audit_log(
            actor=actor, action="invoice.credited", target=invoice, credit_note=note.number, reason=reason
        )
        _issue_number_and_notify(note)
    if invoice.status == Invoice.Status.OPEN and invoice.balance <= 0:
        invoice_mark_paid(invoice_id=invoice.pk, actor=actor, via="credit note")
    return note
