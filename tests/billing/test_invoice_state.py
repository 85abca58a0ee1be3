"""An open invoice past its due date is overdue, and every page and the API say so: the
platform's invoice list, invoice page and client page, the client's own billing history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from apps.billing import services
from apps.billing.models import Invoice
from apps.billing.services.corrections import invoice_manual_create
from apps.billing.services.run import account_invoice_for_period
from tests.billing.accounts import account_open_on as _account
from tests.factories import PLATFORM_ADMIN, OperatorFactory, UserFactory, totp_for, world_build
from tests.tenants import ALPHA

PLATFORM = "localhost"


@pytest.fixture
def two_open(organizations):
    """An open invoice due 2026-04-24 (overdue) and an open one due in ten days."""
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    late = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    current = invoice_manual_create(
        account_id=account.pk,
        description="Training day",
        amount=Decimal("90.00"),
        due_date=timezone.localdate() + timedelta(days=10),
        actor=services.SYSTEM,
    )
    return account, late, current


def test_an_open_invoice_is_overdue_only_after_its_due_date(two_open):
    _account_, late, current = two_open

    assert late.is_overdue()
    assert not current.is_overdue()
    assert (late.state, current.state) == ("overdue", "open")
    assert late.is_overdue(date(2026, 4, 25))
    assert not late.is_overdue(date(2026, 4, 24))
    late.status = Invoice.Status.PAID
    assert not late.is_overdue()
    assert late.state == "paid"
    with translation.override("fr"):
        assert (str(Invoice.OVERDUE_LABEL), current.state_label) == ("En retard", "À régler")


def _chip(state: str, label: str) -> str:
    return f'<span class="status invoice-state-{state}">{label}</span>'


def test_the_clients_billing_history_says_overdue(two_open):
    _account_, late, current = two_open
    with schema_context(ALPHA.schema_name):
        admin = OperatorFactory(email="boss@alpha.example", is_admin=True)
        client = Client(HTTP_HOST=ALPHA.host)
        client.force_login(admin)

    body = client.get("/control/billing/").content.decode()

    assert body.count(_chip("overdue", "Overdue")) == 1
    assert body.count(_chip("open", "Open")) == 1


def test_the_platform_pages_say_overdue(client, two_open):
    account, late, current = two_open
    with schema_context("public"):
        staff = UserFactory(email="staff@platform.example", is_staff=True)
        totp_for(staff)
    client.force_login(staff)

    listing = client.get("/platform/invoices/", HTTP_HOST=PLATFORM).content.decode()
    late_page = client.get(f"/platform/invoices/{late.pk}/", HTTP_HOST=PLATFORM).content.decode()
    current_page = client.get(f"/platform/invoices/{current.pk}/", HTTP_HOST=PLATFORM).content.decode()
    client_page = client.get(f"/platform/clients/{account.pk}/", HTTP_HOST=PLATFORM).content.decode()

    assert listing.count(_chip("overdue", "Overdue")) == 1
    assert listing.count(_chip("open", "Open")) == 1
    assert _chip("overdue", "Overdue") in late_page
    assert _chip("open", "Open") in current_page
    assert "Overdue" not in current_page
    assert "1 overdue" in client_page


def test_the_api_gives_the_state_beside_the_status(alpha, beta, two_open):
    _account_, late, current = two_open
    world = world_build(alpha, beta)
    with schema_context("public"):
        totp_for(world.platform_admin)

    rows = world.client(PLATFORM_ADMIN).get("/api/v1/invoices/").json()["results"]

    states = {row["number"]: (row["status"], row["state"], row["state_label"]) for row in rows}
    assert states == {late.number: ("open", "overdue", "Overdue"), current.number: ("open", "open", "Open")}
