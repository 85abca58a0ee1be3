"""A real Celery worker (Redis, provisioning queue) sets up a client's signed-up site."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.billing.models import BillingAccount
from apps.plans.services import plan_create
from apps.platform.models import ClientSignup
from apps.platform.services import signup as services
from apps.tenancy.models import Organization
from tests.core.test_celery_worker import _wait_for, worker  # noqa: F401 - the worker fixture

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_provisions_a_signup(worker, fresh_organization):  # noqa: F811
    fresh_organization(name="Kappa", slug="kappa")  # makes sure the public rows exist
    plan = plan_create(
        name="Starter",
        slug="starter",
        price={"currency": "EUR", "monthly_fee": Decimal("29.00")},
    )

    signup = services.client_signup_request(
        plan=plan,
        organization_name="Omicron holding",
        organizer_name="Omicron fair",
        slug="omicron",
        legal_name="Omicron Fair Ltd",
        country="NL",
        currency="",
        full_name="Olga Omicron",
        email="olga@omicron.example",
        password="a long pass phrase",
    )

    def is_finished():
        signup.refresh_from_db()
        return signup.is_finished

    try:
        _wait_for(is_finished, timeout=60, what=f"the signup's provisioning:\n{worker.read_text()}")
        assert signup.status == ClientSignup.Status.READY, signup.failure_reason
        assert "apps.platform.tasks.provision_signup" in worker.read_text()
        assert Organization.objects.get(slug="omicron").is_ready
        assert BillingAccount.objects.get().organizer_slug == "omicron"
        with schema_context("omicron"):
            assert User.objects.get(email="olga@omicron.example").check_password("a long pass phrase")
        assert not mail.outbox  # the e-mails went from the worker, not from this process
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA IF EXISTS "omicron" CASCADE')
