"""billing_account_update and the client selectors (sales history, activity)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from apps.billing.models import BillingAccount
from apps.billing.selectors.accounts import account_price
from apps.billing.selectors.clients import client_activity, sales_history
from apps.billing.selectors.periods import months_back
from apps.billing.services.accounts import billing_account_update
from apps.core.audit import Actor, audit_log
from apps.core.models import AuditLogEntry
from apps.tenancy.models import Organization
from tests.plans.factories import plan_build
from tests.platform.test_clients_pages import account_build, sales

NOBODY = Actor(user=None)


@pytest.fixture
def account(alpha):
    return account_build(alpha, name="Fun park", plan=plan_build(slug="starter"))


def test_an_update_saves_and_records_only_what_changed(account):
    billing_account_update(
        account_id=account.pk,
        changes={"status": "active", "notes": "VIP", "setup_fee_override": Decimal("0.00")},
        actor=NOBODY,
    )

    account.refresh_from_db()
    assert (account.notes, account.setup_fee_override) == ("VIP", Decimal(0))
    entry = AuditLogEntry.objects.get(action="client.updated")
    assert entry.data == {
        "fields": ["notes", "setup_fee_override"],
        "changes": {
            "notes": {"from": "", "to": "VIP"},
            "setup_fee_override": {"from": None, "to": "0.00"},
        },
    }
    assert account_price(account).setup_fee == Decimal(0)  # a zero override is an override
    assert account_price(account).overridden == {"setup_fee"}


def test_an_update_that_changes_nothing_records_nothing(account):
    billing_account_update(account_id=account.pk, changes={"notes": ""}, actor=NOBODY)

    assert not AuditLogEntry.objects.filter(action="client.updated").exists()


def test_only_the_editable_fields_can_change(account):
    with pytest.raises(TypeError, match="currency"):
        billing_account_update(account_id=account.pk, changes={"currency": "USD"}, actor=NOBODY)


def test_an_invalid_update_changes_nothing(account):
    with pytest.raises(ValidationError) as caught:
        billing_account_update(
            account_id=account.pk,
            changes={"notes": "x", "fixed_fee_override": Decimal("0.001")},
            actor=NOBODY,
        )

    assert list(caught.value.message_dict) == ["fixed_fee_override"]
    account.refresh_from_db()
    assert account.notes == ""


@pytest.mark.parametrize(
    ("month", "count", "expected"),
    [
        (date(2026, 3, 1), 2, date(2026, 1, 1)),
        (date(2026, 3, 1), 3, date(2025, 12, 1)),
        (date(2026, 1, 1), 13, date(2024, 12, 1)),
        (date(2026, 12, 1), 0, date(2026, 12, 1)),
    ],
)
def test_months_back(month, count, expected):
    assert months_back(month, count) == expected


def test_the_sales_history_is_twelve_months_ending_with_this_one(account):
    sales(account, "10.00", month=date(2026, 2, 1))
    sales(account, "40.00", month=date(2025, 3, 1), tickets=7)
    sales(account, "99.00", month=date(2025, 2, 1))  # thirteen months before: left out

    bars = sales_history(account, today=date(2026, 2, 14))

    assert [bar.month for bar in bars] == [months_back(date(2026, 2, 1), n) for n in range(11, -1, -1)]
    assert (bars[0].gross, bars[0].tickets, bars[0].height) == (Decimal(40), 7, Decimal(100))
    assert (bars[-1].gross, bars[-1].height) == (Decimal(10), Decimal(25))
    assert all(bar.gross == 0 and bar.height == 0 for bar in bars[1:-1])


def test_a_client_without_sales_has_a_flat_history(account):
    assert {bar.height for bar in sales_history(account)} == {Decimal(0)}


def test_activity_mixes_the_clients_schema_and_the_platforms_entries(account, alpha, beta):
    with schema_context(alpha.schema_name):
        audit_log(actor=NOBODY, action="event.created")
    with schema_context(beta.schema_name):
        audit_log(actor=NOBODY, action="beta.only")
    audit_log(actor=NOBODY, action="support.opened", target=alpha)
    audit_log(actor=NOBODY, action="support.opened", target=beta)

    activity = client_activity(account)

    assert [(item.entry.action, item.on_client_site) for item in activity] == [
        ("support.opened", False),
        ("event.created", True),
        ("client.opened", False),
    ]


def test_activity_skips_the_schema_of_an_organization_that_is_not_live(account, alpha):
    with schema_context(alpha.schema_name):
        audit_log(actor=NOBODY, action="event.created")
    Organization.objects.filter(pk=alpha.pk).update(status=Organization.Status.PENDING)
    account = BillingAccount.objects.select_related("organization").get(pk=account.pk)

    assert [item.entry.action for item in client_activity(account)] == ["client.opened"]


def test_activity_keeps_the_latest_twenty(account, alpha):
    with schema_context(alpha.schema_name):
        for n in range(25):
            audit_log(actor=NOBODY, action=f"thing.{n}")

    activity = client_activity(account)

    assert len(activity) == 20
    assert activity[0].entry.action == "thing.24"
