"""Billing periods: months, a client's billing day in each month and the accounts due on a day."""

import calendar
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from apps.billing.models import BillingAccount


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def months_back(month: date, count: int) -> date:
    """The first day of the month `count` months before `month` (a first day)."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def next_invoice_date(account: BillingAccount, *, today: date | None = None) -> date:
    """The next billing day after `today` (29–31 clamped to short months)."""
    today = today or timezone.localdate()
    this_month = anchor_date(today.year, today.month, account.billing_anchor_day)
    if this_month > today:
        return this_month
    following = months_back(first_of_month(today), -1)
    return anchor_date(following.year, following.month, account.billing_anchor_day)


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


def accounts_due(on: date) -> QuerySet[BillingAccount]:
    """The accounts whose billing day is `on` (29–31 clamped), of live organizations."""
    last_day = calendar.monthrange(on.year, on.month)[1]
    days = [on.day] if on.day < last_day else list(range(on.day, 32))
    return BillingAccount.objects.filter(
        billing_anchor_day__in=days, status__in=RUN_STATUSES, organization__status="ready"
    ).order_by("pk")
