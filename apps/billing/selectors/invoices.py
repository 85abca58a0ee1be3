"""Reads on invoices: a client's own billing page, the platform's invoice list and totals, and
the invoices whose e-mail was lost."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from apps.billing.models import BillingAccount, Invoice
from apps.billing.selectors.invoice_lines import estimate_next_invoice
from apps.billing.selectors.periods import next_invoice_date
from apps.core.emails import pending_window
from apps.plans.exceptions import NoPrice


@dataclass(frozen=True)
class BillingOverview:
    account: BillingAccount
    invoices: list[Invoice]
    balance: Decimal
    next_invoice_on: date | None
    estimate: Decimal | None


def billing_overview(schema_name: str, *, today: date | None = None) -> list[BillingOverview]:
    """Each client account of an organization: its invoices, what it owes, and the next
    invoice's date and estimate (monthly fee + fees on this period's sales so far)."""
    today = today or timezone.localdate()
    overviews = []
    with schema_context("public"):
        accounts = list(
            BillingAccount.objects.select_related("plan", "organization").filter(
                organization__schema_name=schema_name
            )
        )
        for account in accounts:
            invoices = list(
                account.invoices.exclude(status=Invoice.Status.DRAFT).order_by("-issued_at", "-pk")[:50]
            )
            balance = sum((i.balance for i in invoices if i.status == Invoice.Status.OPEN), Decimal(0))
            next_on = next_invoice_date(account, today=today)
            overviews.append(
                BillingOverview(account, invoices, balance, next_on, next_invoice_estimate(account, next_on))
            )
    return overviews


def next_invoice_estimate(account: BillingAccount, on: date) -> Decimal | None:
    """estimate_next_invoice of the invoice made `on`, in the invoice's currency; None when it
    cannot be priced or the client's site is not live (its sales cannot be read)."""
    if not account.organization.is_ready or not schema_exists(account.organization.schema_name):
        return None
    try:
        return estimate_next_invoice(account, on)
    except NoPrice:
        return None


def invoices_listed(
    *, status: str = "", search: str = "", month: date | None = None, today: date | None = None
) -> QuerySet[Invoice]:
    """All invoices of all clients, newest first: `status` is unpaid, overdue, paid or void;
    `search` a client's name or an invoice number; `month` the month of issue."""
    today = today or timezone.localdate()
    invoices = Invoice.objects.select_related("account", "account__organization").exclude(
        status=Invoice.Status.DRAFT
    )
    if status == "unpaid":
        invoices = invoices.filter(status=Invoice.Status.OPEN)
    elif status == "overdue":
        invoices = invoices.filter(status=Invoice.Status.OPEN, due_date__lt=today)
    elif status in (Invoice.Status.PAID, Invoice.Status.VOID):
        invoices = invoices.filter(status=status)
    if search:
        invoices = invoices.filter(Q(account__organizer_name__icontains=search) | Q(number__icontains=search))
    if month:
        invoices = invoices.filter(issued_at__year=month.year, issued_at__month=month.month)
    return invoices.order_by("-issued_at", "-pk")


def invoice_totals(invoices: QuerySet[Invoice]) -> list[dict[str, Any]]:
    """Per currency: how many, their total, and what is still owed."""
    return list(
        invoices.order_by()
        .values("currency")
        .annotate(
            invoice_count=Count("pk"),
            invoiced=Sum("total"),
            owed=Sum(F("total") - F("amount_paid"), filter=Q(status="open")),
        )
        .order_by("currency")
    )


def invoices_awaiting_email() -> list[int]:
    """Issued invoices whose e-mail lost its task (broker down at the commit, or Redis lost
    its queue), oldest first: their sweep sends them again."""
    since, until = pending_window()
    return list(
        Invoice.objects.filter(
            number__isnull=False,
            sent_at=None,
            status__in=(Invoice.Status.OPEN, Invoice.Status.PAID),
            issued_at__range=(since, until),
        )
        .order_by("issued_at", "pk")
        .values_list("pk", flat=True)
    )
