"""The platform's clients as its admins see them: the list (search, filters, orders), one
client's figures, sales history, activity and storefront host."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from apps.billing.models import BillingAccount, BillingAdjustment, Invoice, SalesMonth
from apps.billing.selectors.periods import first_of_month, months_back
from apps.core.models import AuditLogEntry
from apps.plans.models import ExchangeRate, Plan

ZERO = Decimal(0)


# Amounts sort in the default currency (at the stored rates), so 1,500 JPY is less than 80 EUR.
CLIENT_ORDERS: dict[str, tuple[str | Lower, ...]] = {
    "name": (Lower("organizer_name"), "pk"),
    "signed_up": ("signed_up_at", "pk"),
    "sales": ("sales_compared", "pk"),
    "balance": ("balance_compared", "pk"),
}


def _in_default_currency(amount: str, currency: str) -> Coalesce:
    """`amount` (in the currency named by the field `currency`) divided by that currency's rate;
    unchanged for the default currency or one without a rate."""
    rate = Subquery(ExchangeRate.objects.filter(currency=OuterRef(currency)).values("rate")[:1])
    return Coalesce(
        ExpressionWrapper(F(amount) / NullIf(rate, Value(ZERO)), output_field=DecimalField()),
        F(amount),
        output_field=DecimalField(),
    )


def _balance_of_open_invoices() -> Coalesce:
    """Per account: what its open invoices still ask (total − paid), 0 when none."""
    owed = (
        Invoice.objects.filter(account=OuterRef("pk"), status=Invoice.Status.OPEN)
        .order_by()
        .values("account")
        .annotate(owed=Sum(F("total") - F("amount_paid")))
        .values("owed")
    )
    return Coalesce(Subquery(owed, output_field=DecimalField(max_digits=16, decimal_places=3)), Value(ZERO))


def clients_listed(
    *,
    search: str = "",
    plan: Plan | None = None,
    status: str = "",
    order: str = "name",
    today: date | None = None,
) -> QuerySet[BillingAccount]:
    """Every client with its plan and organization, this month's sales (`sales_this_month` in
    `sales_currency`) and `balance` of its open invoices — one query whatever the number of rows.

    `order`: a key of CLIENT_ORDERS, "-" in front for descending.
    """
    month = first_of_month(today or timezone.localdate())
    this_month = SalesMonth.objects.filter(account=OuterRef("pk"), month=month)
    accounts = BillingAccount.objects.select_related("plan", "organization").annotate(
        sales_this_month=Coalesce(Subquery(this_month.values("gross")[:1]), Value(ZERO)),
        sales_currency=Subquery(this_month.values("currency")[:1]),
        balance=_balance_of_open_invoices(),
    )
    search = search.strip()
    if search:
        accounts = accounts.filter(
            Q(organizer_name__icontains=search)
            | Q(organizer_slug__icontains=search)
            | Q(organization__name__icontains=search)
            | Q(contact_email__icontains=search)
        )
    if plan is not None:
        accounts = accounts.filter(plan=plan)
    if status:
        accounts = accounts.filter(status=status)
    descending = order.startswith("-")
    key = order.removeprefix("-")
    if key == "sales":
        accounts = accounts.annotate(
            sales_compared=_in_default_currency("sales_this_month", "sales_currency")
        )
    elif key == "balance":
        accounts = accounts.annotate(balance_compared=_in_default_currency("balance", "currency"))
    sorts: list[F | Lower] = [F(field) if isinstance(field, str) else field for field in CLIENT_ORDERS[key]]
    return accounts.order_by(*(sort.desc() if descending else sort.asc() for sort in sorts))


def billing_accounts_listed(
    *, currency: str = "", card_on_file: bool | None = None, **filters: Any
) -> QuerySet[BillingAccount]:
    """clients_listed (same figures, search, filters and orders) narrowed to a billing currency
    and to clients with (or without) a card on file, with their pending adjustments prefetched
    as `pending`."""
    accounts = clients_listed(**filters).prefetch_related(
        "plan__prices",
        Prefetch(
            "adjustments",
            BillingAdjustment.objects.filter(invoice__isnull=True).order_by("created_at", "pk"),
            to_attr="pending",
        ),
    )
    if currency:
        accounts = accounts.filter(currency=currency.upper())
    if card_on_file is not None:
        accounts = (
            accounts.exclude(payment_method_id="") if card_on_file else accounts.filter(payment_method_id="")
        )
    return accounts


def client_of(account_id: int) -> BillingAccount:
    """One client with the same figures as the list (raises BillingAccount.DoesNotExist)."""
    return clients_listed().prefetch_related("plan__prices", "organization__domains").get(pk=account_id)


@dataclass(frozen=True)
class SalesBar:
    month: date
    gross: Decimal
    orders: int
    tickets: int
    height: Decimal  # share of the tallest bar, 0–100


def sales_history(account: BillingAccount, *, months: int = 12, today: date | None = None) -> list[SalesBar]:
    """The client's paid sales of the last `months` months, oldest first, the current one last;
    months without sales are there with 0."""
    current = first_of_month(today or timezone.localdate())
    first = months_back(current, months - 1)
    rows = {
        row.month: row
        for row in SalesMonth.objects.filter(account=account, month__gte=first, month__lte=current)
    }
    tallest = max((row.gross for row in rows.values()), default=ZERO) or Decimal(1)
    bars = []
    for index in range(months):
        month = months_back(current, months - 1 - index)
        row = rows.get(month)
        gross = row.gross if row else ZERO
        bars.append(
            SalesBar(
                month=month,
                gross=gross,
                orders=row.orders if row else 0,
                tickets=row.tickets if row else 0,
                height=(gross * 100 / tallest).quantize(Decimal("0.1")),
            )
        )
    return bars


def open_invoices(account: BillingAccount) -> QuerySet[Invoice]:
    return account.invoices.filter(status=Invoice.Status.OPEN)


def overdue_invoices(account: BillingAccount, *, today: date | None = None) -> QuerySet[Invoice]:
    """The open invoices past their due date (Invoice.is_overdue)."""
    return open_invoices(account).filter(due_date__lt=today or timezone.localdate())


@dataclass(frozen=True)
class ActivityEntry:
    entry: AuditLogEntry
    on_client_site: bool  # recorded in the client's schema (else on the platform)


def client_activity(account: BillingAccount, *, limit: int = 20) -> list[ActivityEntry]:
    """The latest audit entries of the client's own schema and the platform's entries about this
    client (its account, its organization's support sessions), newest first."""
    platform = AuditLogEntry.objects.filter(
        Q(target_type=BillingAccount._meta.label_lower, target_id=str(account.pk))
        | Q(target_type=account.organization._meta.label_lower, target_id=str(account.organization_id))
    )
    entries = [ActivityEntry(entry, on_client_site=False) for entry in platform[:limit]]
    organization = account.organization
    if organization.is_ready and schema_exists(organization.schema_name):
        with schema_context(organization.schema_name):
            entries += [
                ActivityEntry(entry, on_client_site=True) for entry in AuditLogEntry.objects.all()[:limit]
            ]
    entries.sort(key=lambda item: (item.entry.created_at, item.entry.pk), reverse=True)
    return entries[:limit]


def client_home_host(account: BillingAccount) -> str:
    """The host of the client's storefront: its organizer's own address (a custom domain once
    verified wins), else its organization's primary host; "" when it has none."""
    domains = list(account.organization.domains.all())
    for_organizer = [
        domain
        for domain in domains
        if domain.organizer_slug == account.organizer_slug and (not domain.is_custom or domain.verified_at)
    ]
    for_organizer.sort(key=lambda domain: (not domain.is_custom, domain.pk))
    if for_organizer:
        return str(for_organizer[0].domain)
    primary = next((domain for domain in domains if domain.is_primary), None)
    return primary.domain if primary else ""


def sales_currency_of(account: BillingAccount) -> str | None:
    """The currency the client sells in, as its latest sales month says."""
    return account.sales_months.order_by("-month").values_list("currency", flat=True).first()
