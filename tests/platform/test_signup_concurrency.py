"""Two provisioning runs of one signup at once (a redelivered task): one site, one client."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.billing.models import BillingAccount
from apps.core.models import AuditLogEntry
from apps.organizers.models import Organizer
from apps.plans.services import plan_create
from apps.platform.models import ClientSignup
from apps.platform.services import signup as services
from config.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_tasks():
    """Tasks go to the broker (no worker takes them here) instead of running at once."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
    app.control.purge()


def test_two_runs_at_once_make_one_site(fresh_organization, queued_tasks):
    fresh_organization(name="Kappa", slug="kappa")  # the public rows of a live platform
    plan = plan_create(name="Starter", slug="starter", price={"currency": "EUR", "monthly_fee": Decimal(29)})
    signup = services.client_signup_request(
        plan=plan,
        organization_name="Pi holding",
        organizer_name="Pi park",
        slug="pi-park",
        legal_name="Pi Park B.V.",
        country="NL",
        currency="",
        email="pia@pi.example",
        password="a long pass phrase",
    )
    assert ClientSignup.objects.get().status == ClientSignup.Status.PENDING
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def run():
        try:
            start.wait()
            outcomes.append(services.client_signup_provision(signup_id=signup.pk).status)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert not errors, errors
        assert outcomes == ["ready", "ready"]
        signup.refresh_from_db()
        assert signup.status == ClientSignup.Status.READY
        assert BillingAccount.objects.count() == 1
        with schema_context("pi_park"):
            assert Organizer.objects.count() == 1
            assert User.objects.count() == 1
        assert AuditLogEntry.objects.filter(action="client.signup_ready").count() == 1  # one welcome, too
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "pi_park" CASCADE')
