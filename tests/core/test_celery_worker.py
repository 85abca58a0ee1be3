"""A real Celery worker process, fed through Redis, runs tasks inside the right schema."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.tenancy import services
from apps.tenancy.models import Organization
from apps.tenancy.tasks import clear_expired_sessions
from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    """The test database as a DATABASE_URL (django-environ spells a socket dir as @//dir/db)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{host}/{db['NAME']}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A worker on the suite's own Redis database and the test database."""
    with worker_running(tmp_path / "worker.log") as log:
        yield log


@contextmanager
def worker_running(log: Path):
    """A worker started now (the `worker` fixture starts one with the test); yields its log."""
    with worker_process(log) as (_process, log):
        yield log


@contextmanager
def worker_process(log: Path):
    """A worker started now; yields (its process, its log), for tests that kill it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "TESSERA_TEST_REDIS_URL": settings.REDIS_URL,
        "TESSERA_CELERY_EAGER": "false",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "info"]
    command += [
        "-Q",
        "default,email,provisioning,billing",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    app.conf.task_always_eager = False
    try:
        _wait_for(lambda: "ready." in log.read_text(), timeout=60, what=f"worker start:\n{log.read_text()}")
        yield process, log
    finally:
        app.conf.task_always_eager = True
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def _wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_worker_provisions_an_organization_requested_in_the_background(worker, fresh_organization):
    fresh_organization(name="Kappa", slug="kappa")  # makes sure the public rows exist

    organization = services.organization_request_async(name="Lambda", slug="lambda")
    assert organization.status == Organization.Status.PENDING

    def is_live():
        organization.refresh_from_db()
        return organization.status != Organization.Status.PENDING

    try:
        _wait_for(is_live, timeout=60, what=f"provisioning:\n{worker.read_text()}")
        assert organization.status == Organization.Status.READY, organization.failure_reason
        assert "provision_organization" in worker.read_text()
    finally:
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "lambda" CASCADE')


def test_worker_runs_a_task_inside_the_schema_it_was_sent_for(worker, fresh_organization):
    first = fresh_organization(name="Mu", slug="mu-org")
    second = fresh_organization(name="Nu", slug="nu-org")
    expired = timezone.now() - timezone.timedelta(days=1)
    for organization in (first, second):
        with schema_context(organization.schema_name):
            Session.objects.create(session_key="same-key", session_data="", expire_date=expired)

    clear_expired_sessions.delay(schema_name=first.schema_name)

    def first_is_clean():
        with schema_context(first.schema_name):
            return not Session.objects.exists()

    _wait_for(first_is_clean, timeout=30, what=f"the task:\n{worker.read_text()}")
    with schema_context(second.schema_name):
        assert Session.objects.count() == 1
    assert "clear_expired_sessions" in worker.read_text()


def test_worker_runs_the_daily_billing_run_and_invoices_each_due_account_once(worker, fresh_organization):
    import datetime as dt

    from apps.billing.models import BillingAccount, Invoice
    from apps.billing.services.accounts import billing_account_open
    from apps.billing.tasks import run_billing
    from tests.plans.factories import plan_build

    organization = fresh_organization(name="Xi", slug="xi-org")
    plan = plan_build(slug="worker-plan")
    today = timezone.localdate()
    signed_up = timezone.now() - dt.timedelta(days=40)
    for organizer_id in (1, 2):
        account = billing_account_open(
            organization=organization,
            organizer_id=organizer_id,
            organizer_name=f"Xi {organizer_id}",
            organizer_slug=f"xi-{organizer_id}",
            country="FR",
            plan=plan,
            contact_email="billing@xi.example",
        )
        BillingAccount.objects.filter(pk=account.pk).update(
            signed_up_at=signed_up, billing_anchor_day=today.day
        )

    run_billing.delay(schema_name="public")  # what beat sends every morning
    run_billing.delay(schema_name="public")  # and a second run the same day

    def both_invoiced():
        return Invoice.objects.filter(account__organization=organization).count() >= 2

    _wait_for(both_invoiced, timeout=60, what=f"the billing run:\n{worker.read_text()}")
    time.sleep(2)  # let the second run's tasks finish too
    assert Invoice.objects.filter(account__organization=organization).count() == 2
    assert "invoice_account" in worker.read_text()
