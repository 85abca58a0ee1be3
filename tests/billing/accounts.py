"""Billing accounts for tests: a client of the Starter plan whose billing day is its signup's."""

import datetime as dt
from datetime import date

from django.utils import timezone

from apps.billing.models import BillingAccount
from apps.billing.services.accounts import billing_account_open
from tests.plans.factories import plan_build


def starter_plan():
    """EUR: 29.00 a month, 10.00 setup, 0.49 per ticket + 1.50 %."""
    from apps.plans.models import Plan

    return Plan.objects.filter(slug="starter").first() or plan_build()


def account_open_on(organization, *, signed_up: date, organizer_id: int = 1, slug: str = "client", plan=None):
    account = billing_account_open(
        organization=organization,
        organizer_id=organizer_id,
        organizer_name=slug.title(),
        organizer_slug=slug,
        country="FR",
        plan=plan or starter_plan(),
        contact_email=f"billing@{slug}.example",
    )
    moment = timezone.make_aware(dt.datetime.combine(signed_up, dt.time(12)))
    BillingAccount.objects.filter(pk=account.pk).update(signed_up_at=moment, billing_anchor_day=signed_up.day)
    account.refresh_from_db()
    return account
