"""Add-ons (features on for one client while its plan lacks them, priced per currency) and
one-off adjustments of a client's next invoice: services, the billing run (exactly once, rerun
and concurrent runs included) and the estimate of the next invoice."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from apps.billing.exceptions import AlreadyBilled
from apps.billing.models import BillingAccount, BillingAdjustment, Invoice, InvoiceLine
from apps.billing.selectors.accounts import account_addons
from apps.billing.selectors.invoice_lines import estimate_next_invoice
from apps.billing.services.accounts import billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create, billing_adjustment_delete
from apps.billing.services.corrections import invoice_manual_create
from apps.billing.services.run import account_invoice_for_period
from apps.core.audit import Actor
from apps.core.models import AuditLogEntry
from apps.plans.exceptions import NoPrice
from apps.plans.models import AddonPrice
from apps.plans.selectors import addon_fees_in
from apps.plans.services import addon_price_create, exchange_rate_set, plan_create
from tests.billing.accounts import account_open_on as _account
from tests.billing.accounts import starter_plan as _starter
from tests.factories import UserFactory

SYSTEM = Actor(user=None)


def _box_office_addon(account, **changes):
    return billing_account_update(
        account_id=account.pk, changes={"box_office_override": True, **changes}, actor=SYSTEM
    )


def _lines(invoice):
    return [(line.kind, line.description, line.amount) for line in invoice.lines.all()]


# --- the add-on price catalog -------------------------------------------------------------------


def test_an_addon_price_is_created_once_per_feature_and_currency_and_audited(organizations):
    price = addon_price_create(feature="box_office", currency="eur", monthly_fee=Decimal("15.00"))

    with pytest.raises(ValidationError) as taken:
        addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal(9))
    with pytest.raises(ValidationError) as yen:
        addon_price_create(feature="box_office", currency="JPY", monthly_fee=Decimal("99.5"))
    with pytest.raises(ValidationError) as unknown:
        addon_price_create(feature="teleport", currency="EUR", monthly_fee=Decimal(1))

    assert (price.feature, price.currency, price.monthly_fee) == ("box_office", "EUR", Decimal("15.00"))
    assert "currency" in taken.value.message_dict
    assert yen.value.message_dict == {"monthly_fee": ["JPY amounts cannot have that many decimals."]}
    assert "feature" in unknown.value.message_dict
    assert AddonPrice.objects.count() == 1
    assert AuditLogEntry.objects.filter(action="addon_price.created").count() == 1


def test_addon_prices_are_their_own_else_converted_from_the_default_currency(organizations):
    exchange_rate_set(currency="GBP", rate=Decimal("0.85"))
    exchange_rate_set(currency="JPY", rate=Decimal("162"))
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    addon_price_create(feature="box_office", currency="CHF", monthly_fee=Decimal("14.00"))
    addon_price_create(feature="custom_domain", currency="EUR", monthly_fee=Decimal("4.99"))

    chf = addon_fees_in("CHF", features=["box_office"])
    gbp = addon_fees_in("gbp")
    jpy = addon_fees_in("JPY")

    assert (chf["box_office"].monthly_fee, chf["box_office"].source) == (Decimal("14.00"), "own")
    assert (gbp["box_office"].monthly_fee, gbp["box_office"].source) == (Decimal("12.75"), "converted")
    assert gbp["custom_domain"].monthly_fee == Decimal("4.24")  # 4.2415, rounded half up
    assert jpy["box_office"].monthly_fee == Decimal("2430")  # no decimals in yen
    assert jpy["event_replication"] is None  # no price at all: a free add-on
    with pytest.raises(NoPrice):
        addon_fees_in("CHF", features=["custom_domain"])  # no CHF price, no CHF rate


def test_an_addon_priced_only_in_another_currency_than_the_default_cannot_be_converted(organizations):
    addon_price_create(feature="box_office", currency="USD", monthly_fee=Decimal(20))

    with pytest.raises(NoPrice):
        addon_fees_in("GBP", features=["box_office"])
    assert addon_fees_in("USD")["box_office"].monthly_fee == Decimal(20)


# --- add-ons on the client and its invoices ------------------------------------------------------


def test_a_feature_on_for_a_client_whose_plan_lacks_it_is_a_paid_addon_line(organizations):
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    addon_price_create(feature="custom_domain", currency="EUR", monthly_fee=Decimal("5.00"))
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    _box_office_addon(account, event_replication_override=True, custom_domain_override=False)

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert _lines(invoice) == [
        (InvoiceLine.Kind.MONTHLY_FEE, "Starter, 2026-03-10 – 2026-04-09", Decimal("29.00")),
        (InvoiceLine.Kind.SETUP_FEE, "Setup fee", Decimal("10.00")),
        # event replication has no price: a free add-on, no line; custom domain is off
        (InvoiceLine.Kind.ADDON, "Box office (add-on), 2026-03-10 – 2026-04-09", Decimal("15.00")),
    ]
    assert invoice.total == Decimal("54.00")


def test_a_feature_the_plan_has_is_no_addon(organizations):
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    pro = plan_create(
        name="Pro", slug="pro", box_office=True, price={"currency": "EUR", "monthly_fee": Decimal(99)}
    )
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10), plan=pro)
    _box_office_addon(account)

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert [line.kind for line in invoice.lines.all()] == [InvoiceLine.Kind.MONTHLY_FEE]
    assert account_addons(BillingAccount.objects.get(pk=account.pk)) == []


def test_a_client_billed_in_another_currency_pays_the_converted_addon_price(organizations):
    exchange_rate_set(currency="GBP", rate=Decimal("0.85"))
    _starter()
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    BillingAccount.objects.filter(pk=account.pk).update(currency="GBP", country="GB")
    _box_office_addon(account)

    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 5, 10))

    assert invoice.currency == "GBP"
    addon = invoice.lines.get(kind=InvoiceLine.Kind.ADDON)
    assert addon.amount == Decimal("12.75")


def test_an_addon_that_cannot_be_priced_in_the_clients_currency_is_refused(organizations):
    addon_price_create(feature="box_office", currency="USD", monthly_fee=Decimal(20))
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))

    with pytest.raises(ValidationError) as refused:
        _box_office_addon(account)

    assert list(refused.value.message_dict) == ["box_office_override"]
    assert BillingAccount.objects.get(pk=account.pk).box_office_override is None


def test_addons_set_as_a_list_become_the_feature_overrides(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    _box_office_addon(account)

    account = billing_account_update(
        account_id=account.pk, changes={"addons": ["custom_domain"]}, actor=SYSTEM
    )

    assert (account.box_office_override, account.custom_domain_override) == (None, True)
    with pytest.raises(ValidationError) as both:
        billing_account_update(
            account_id=account.pk,
            changes={"addons": ["box_office"], "box_office_override": False},
            actor=SYSTEM,
        )
    assert list(both.value.message_dict) == ["addons"]


# --- adjustments --------------------------------------------------------------------------------


def test_an_adjustment_is_a_signed_amount_in_the_clients_currency_and_is_audited(organizations):
    admin = UserFactory(email="admin@platform.test", is_staff=True)
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))

    charge = billing_adjustment_create(
        account_id=account.pk, description="Training day", amount=Decimal("120.5"), actor=Actor(user=admin)
    )
    credit = billing_adjustment_create(
        account_id=account.pk, description="Outage credit", amount=Decimal("-10"), actor=SYSTEM
    )

    assert (charge.amount, charge.currency, charge.created_by, charge.is_pending) == (
        Decimal("120.50"),
        "EUR",
        "admin@platform.test",
        True,
    )
    assert credit.amount == Decimal("-10.00")
    entry = AuditLogEntry.objects.filter(action="client.adjustment_added").earliest("pk")
    assert (entry.actor_email, entry.target_id, entry.data["amount"]) == (
        "admin@platform.test",
        str(account.pk),
        "120.50",
    )


@pytest.mark.parametrize(
    ("description", "amount", "field"),
    [
        ("Training", Decimal("0"), "amount"),
        ("Training", Decimal("1.005"), "amount"),  # EUR has two decimals
        ("  ", Decimal("10"), "description"),
    ],
)
def test_a_bad_adjustment_is_refused_on_its_field(organizations, description, amount, field):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))

    with pytest.raises(ValidationError) as refused:
        billing_adjustment_create(account_id=account.pk, description=description, amount=amount, actor=SYSTEM)

    assert list(refused.value.message_dict) == [field]
    assert not BillingAdjustment.objects.exists()


def test_a_yen_adjustment_takes_no_decimals(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    BillingAccount.objects.filter(pk=account.pk).update(currency="JPY")

    with pytest.raises(ValidationError):
        billing_adjustment_create(
            account_id=account.pk, description="Fee", amount=Decimal("100.5"), actor=SYSTEM
        )
    adjustment = billing_adjustment_create(
        account_id=account.pk, description="Fee", amount=Decimal(3000), actor=SYSTEM
    )

    assert (adjustment.amount, adjustment.currency) == (Decimal(3000), "JPY")


def test_the_run_bills_each_pending_adjustment_once_on_the_next_invoice(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    charge = billing_adjustment_create(
        account_id=account.pk, description="Training day", amount=Decimal("100.00"), actor=SYSTEM
    )
    credit = billing_adjustment_create(
        account_id=account.pk, description="Outage credit", amount=Decimal("-4.50"), actor=SYSTEM
    )

    first = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    rerun = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    later = billing_adjustment_create(
        account_id=account.pk, description="Extra seats", amount=Decimal("7.00"), actor=SYSTEM
    )
    second = account_invoice_for_period(account_id=account.pk, on=date(2026, 5, 10))

    assert rerun.pk == first.pk
    assert _lines(first)[-2:] == [
        (InvoiceLine.Kind.ADJUSTMENT, "Training day", Decimal("100.00")),
        (InvoiceLine.Kind.ADJUSTMENT, "Outage credit", Decimal("-4.50")),
    ]
    assert first.total == Decimal("29.00") + Decimal("10.00") + Decimal("100.00") - Decimal("4.50")
    charge.refresh_from_db()
    credit.refresh_from_db()
    assert (charge.invoice, charge.invoice_line.amount) == (first, Decimal("100.00"))
    assert (credit.invoice, credit.invoice_line.description) == (first, "Outage credit")
    assert _lines(second) == [
        (InvoiceLine.Kind.MONTHLY_FEE, "Starter, 2026-04-10 – 2026-05-09", Decimal("29.00")),
        (InvoiceLine.Kind.ADJUSTMENT, "Extra seats", Decimal("7.00")),
    ]
    later.refresh_from_db()
    assert later.invoice == second
    assert InvoiceLine.objects.filter(kind=InvoiceLine.Kind.ADJUSTMENT).count() == 3
    issued = AuditLogEntry.objects.filter(action="invoice.issued").earliest("pk")
    assert sorted(issued.data["adjustments"]) == sorted([charge.pk, credit.pk])


def test_manual_invoices_leave_pending_adjustments_for_the_monthly_one(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    adjustment = billing_adjustment_create(
        account_id=account.pk, description="Training day", amount=Decimal("100.00"), actor=SYSTEM
    )

    invoice_manual_create(
        account_id=account.pk,
        description="Workshop",
        amount=Decimal(50),
        due_date=date(2026, 4, 1),
        actor=SYSTEM,
    )

    adjustment.refresh_from_db()
    assert adjustment.is_pending


def test_a_credit_larger_than_the_invoice_carries_its_rest_over(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    billing_adjustment_create(
        account_id=account.pk, description="Goodwill", amount=Decimal("-50.00"), actor=SYSTEM
    )

    first = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
    second = account_invoice_for_period(account_id=account.pk, on=date(2026, 5, 10))

    assert (first.total, first.status) == (Decimal("0.00"), Invoice.Status.PAID)
    assert _lines(first)[-2:] == [
        (InvoiceLine.Kind.ADJUSTMENT, "Goodwill", Decimal("-50.00")),
        (InvoiceLine.Kind.ADJUSTMENT, "Credit carried over to the next invoice", Decimal("11.00")),
    ]
    assert _lines(second) == [
        (InvoiceLine.Kind.MONTHLY_FEE, "Starter, 2026-04-10 – 2026-05-09", Decimal("29.00")),
        (InvoiceLine.Kind.ADJUSTMENT, f"Credit carried over from {first.number}", Decimal("-11.00")),
    ]
    assert second.total == Decimal("18.00")
    assert not BillingAdjustment.objects.filter(invoice__isnull=True).exists()


def test_a_pending_adjustment_can_be_withdrawn_a_billed_one_not(organizations):
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    other = _account(organizations["alpha"], signed_up=date(2026, 3, 11), organizer_id=2, slug="other")
    withdrawn, billed = (
        billing_adjustment_create(account_id=account.pk, description=text, amount=Decimal(5), actor=SYSTEM)
        for text in ("Withdrawn", "Billed")
    )
    billing_adjustment_delete(adjustment_id=withdrawn.pk, account_id=account.pk, actor=SYSTEM)
    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    with pytest.raises(AlreadyBilled):
        billing_adjustment_delete(adjustment_id=billed.pk, actor=SYSTEM)
    with pytest.raises(BillingAdjustment.DoesNotExist):
        billing_adjustment_delete(adjustment_id=billed.pk, account_id=other.pk, actor=SYSTEM)

    assert [line.description for line in invoice.lines.filter(kind=InvoiceLine.Kind.ADJUSTMENT)] == ["Billed"]
    assert list(BillingAdjustment.objects.values_list("description", flat=True)) == ["Billed"]
    entry = AuditLogEntry.objects.get(action="client.adjustment_deleted")
    assert (entry.target_id, entry.data["description"]) == (str(account.pk), "Withdrawn")


def test_the_estimate_counts_addons_and_pending_adjustments(organizations):
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    account = _account(organizations["alpha"], signed_up=date(2026, 3, 10))
    _box_office_addon(account)
    billing_adjustment_create(
        account_id=account.pk, description="Training day", amount=Decimal("100.00"), actor=SYSTEM
    )
    account = BillingAccount.objects.select_related("plan", "organization").get(pk=account.pk)

    estimate = estimate_next_invoice(account, date(2026, 4, 10))
    invoice = account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))

    assert estimate == Decimal("154.00") == invoice.total  # 29 + 10 setup + 15 add-on + 100
    assert estimate_next_invoice(account, date(2026, 5, 10)) == Decimal("44.00")


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_bill_each_adjustment_once(fresh_organization):
    organization = fresh_organization(name="Adjustment race", slug="adjustment-race")
    addon_price_create(feature="box_office", currency="EUR", monthly_fee=Decimal("15.00"))
    accounts = [
        _account(organization, signed_up=date(2026, 3, 10), organizer_id=n, slug=f"a{n}") for n in range(1, 4)
    ]
    for account in accounts:
        _box_office_addon(account)
        billing_adjustment_create(
            account_id=account.pk, description="Training day", amount=Decimal("100.00"), actor=SYSTEM
        )
    barrier = threading.Barrier(6)

    def run(_worker):
        try:
            barrier.wait(timeout=30)
            return [
                account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10)).pk
                for account in accounts
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(run, range(6)))

    assert len({tuple(r) for r in results}) == 1
    assert Invoice.objects.count() == 3
    assert InvoiceLine.objects.filter(kind=InvoiceLine.Kind.ADJUSTMENT).count() == 3
    assert InvoiceLine.objects.filter(kind=InvoiceLine.Kind.ADDON).count() == 3
    assert set(Invoice.objects.values_list("total", flat=True)) == {Decimal("154.00")}
    assert not BillingAdjustment.objects.filter(invoice__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_the_run_either_wins_or_is_told_it_is_billed(fresh_organization):
    organization = fresh_organization(name="Withdraw race", slug="withdraw-race")
    account = _account(organization, signed_up=date(2026, 3, 10))
    adjustment = billing_adjustment_create(
        account_id=account.pk, description="Training day", amount=Decimal("100.00"), actor=SYSTEM
    )
    barrier = threading.Barrier(2)

    def bill():
        try:
            barrier.wait(timeout=30)
            return account_invoice_for_period(account_id=account.pk, on=date(2026, 4, 10))
        finally:
            connections.close_all()

    def withdraw():
        try:
            barrier.wait(timeout=30)
            billing_adjustment_delete(adjustment_id=adjustment.pk, actor=SYSTEM)
            return "withdrawn"
        except AlreadyBilled:
            return "billed"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        billing, withdrawal = pool.submit(bill), pool.submit(withdraw)
        invoice, outcome = billing.result(), withdrawal.result()

    adjustment_lines = invoice.lines.filter(kind=InvoiceLine.Kind.ADJUSTMENT).count()
    if outcome == "withdrawn":
        assert adjustment_lines == 0
        assert not BillingAdjustment.objects.exists()
    else:
        assert adjustment_lines == 1
        assert BillingAdjustment.objects.get().invoice == invoice
