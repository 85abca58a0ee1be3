"""The platform API of invoices: platform admins with TOTP only; list with filters, manual
invoices, changes with a reason, void, mark paid."""

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from apps.billing.models import Invoice
from apps.billing.services.run import account_invoice_for_period
from tests.billing.accounts import account_open_on as _account
from tests.factories import PLATFORM_ADMIN, only_platform_admins, role_matrix, totp_for, world_build


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    with schema_context("public"):
        totp_for(world.platform_admin)
    return world


@pytest.fixture
def invoice(world):
    account = _account(world.alpha, signed_up=date(2026, 3, 10))
    return account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))


@role_matrix(only_platform_admins(200))
def test_who_lists_invoices(world, invoice, role, expected):
    response = world.client(role).get("/api/v1/invoices/", {"status": "unpaid"})

    world.check(role, response, expected)
    if expected == 200:
        (row,) = response.json()["results"]
        assert (row["number"], row["balance"], row["status"]) == (invoice.number, "39.000", "open")
        assert [line["kind"] for line in row["lines"]] == ["monthly_fee", "setup_fee"]


def test_changes_need_a_reason_and_paid_invoices_are_not_changed(world, invoice):
    client = world.client(PLATFORM_ADMIN)

    no_reason = client.patch(f"/api/v1/invoices/{invoice.pk}/", {"total": "20.00"}, format="json")
    changed = client.patch(
        f"/api/v1/invoices/{invoice.pk}/", {"total": "20.00", "reason": "Goodwill"}, format="json"
    )
    paid = client.post(f"/api/v1/invoices/{invoice.pk}/mark-paid/", {"reason": "Transfer"}, format="json")
    after_paid = client.patch(
        f"/api/v1/invoices/{invoice.pk}/", {"due_date": "2027-01-01", "reason": "x"}, format="json"
    )
    void_paid = client.post(f"/api/v1/invoices/{invoice.pk}/void/", {"reason": "x"}, format="json")

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert changed.json()["total"] == "20.000"
    assert paid.json()["status"] == "paid"
    assert after_paid.status_code == 400
    assert void_paid.status_code == 400


def test_a_manual_invoice_through_the_api(world, invoice):
    response = world.client(PLATFORM_ADMIN).post(
        "/api/v1/invoices/",
        {"account": invoice.account_id, "description": "Training", "amount": "120", "due_date": "2026-12-01"},
        format="json",
    )
    bad = world.client(PLATFORM_ADMIN).post(
        "/api/v1/invoices/",
        {"account": invoice.account_id, "description": "x", "amount": "0", "due_date": "2026-12-01"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["kind"] == "manual"
    assert Invoice.objects.get(pk=response.json()["id"]).total == Decimal("120.00")
    assert bad.status_code == 400
    assert "amount" in bad.json()
