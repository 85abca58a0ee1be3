"""The billing run stays exactly-once when its worker is killed mid-run (SIGKILL, no time to
clean up): the next run (the next morning's catch-up) invoices only what is missing, every
account once, numbers without gaps, each invoice whole."""

import datetime as dt

import pytest
import redis
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from apps.billing.models import BillingAccount, Invoice
from apps.billing.services.accounts import billing_account_open
from apps.billing.services.run import billing_run
from tests.core.test_celery_worker import _wait_for, worker_process
from tests.plans.factories import plan_build

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ACCOUNTS = 60


def test_a_worker_killed_during_the_billing_run_leaves_each_account_invoiced_once(
    fresh_organization, tmp_path
):
    organization = fresh_organization(name="Chi", slug="chi-org")
    plan = plan_build(slug="killed-run-plan")
    today = timezone.localdate()
    for organizer_id in range(1, ACCOUNTS + 1):
        account = billing_account_open(
            organization=organization,
            organizer_id=organizer_id,
            organizer_name=f"Chi {organizer_id}",
            organizer_slug=f"chi-{organizer_id}",
            country="FR",
            plan=plan,
            contact_email="billing@chi.example",
        )
        BillingAccount.objects.filter(pk=account.pk).update(
            signed_up_at=timezone.now() - dt.timedelta(days=40), billing_anchor_day=today.day
        )
    invoices = Invoice.objects.filter(account__organization=organization)

    with worker_process(tmp_path / "first.log") as (worker, log):
        billing_run(on=today)  # what beat's run sends: one task per due account
        _wait_for(lambda: invoices.count() >= 5, timeout=60, what=f"the first invoices:\n{log.read_text()}")
        worker.kill()  # SIGKILL mid-run
        worker.wait(timeout=30)
    killed_at = invoices.count()
    assert killed_at < ACCOUNTS, "the run ended before the kill: use more accounts"
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # and the queued rest is lost with it

    with worker_process(tmp_path / "second.log") as (_worker, log):
        billing_run(on=today + dt.timedelta(days=1))  # tomorrow's run catches up on today
        _wait_for(lambda: invoices.count() >= ACCOUNTS, timeout=120, what=f"the catch-up:\n{log.read_text()}")

    assert invoices.count() == ACCOUNTS
    assert invoices.values("account").distinct().count() == ACCOUNTS
    numbers = sorted(int(number.rsplit("-", 1)[1]) for number in invoices.values_list("number", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + ACCOUNTS))  # no gap, no double
    for invoice in invoices.annotate(lines_total=Sum("lines__amount")):
        assert invoice.lines_total == invoice.total
