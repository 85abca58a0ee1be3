"""Clients' monthly sales, read from their schemas, kept in the public table."""

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount, SalesMonth
from apps.billing.selectors.periods import first_of_month, months_back
from apps.sales.models import Order, Ticket


def sales_month_refresh(*, account: BillingAccount, month: date) -> SalesMonth:
    """Count a client's paid ticket sales of one month from its own schema: tickets still
    valid (refunded and cancelled ones no longer count) of orders paid in that month."""
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


def sales_months_refresh(*, today: date | None = None) -> int:
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
