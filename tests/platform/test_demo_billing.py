from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.services.accounts import billing_account_update
from apps.plans.models import ExchangeRate, Plan, PlanPrice
from apps.plans.selectors import plan_price_for
from apps.platform.demo_billing import billing_demo_seed

pytestmark = pytest.mark.django_db


def test_the_demo_plans_and_rates_are_seeded_once():
    billing_demo_seed()
    billing_demo_seed()

    starter, pro = Plan.objects.order_by("sort_order")
    assert (starter.name, starter.custom_domain, starter.max_operators) == ("Starter", False, 2)
    assert (pro.name, pro.event_replication, pro.box_office, pro.custom_domain, pro.max_operators) == (
        "Pro",
        True,
        True,
        True,
        None,
    )
    eur = starter.prices.get(currency="EUR")
    assert (eur.monthly_fee, eur.setup_fee, eur.fixed_fee, eur.percent_fee) == (
        Decimal(29),
        Decimal(0),
        Decimal("0.49"),
        Decimal("1.5"),
    )
    eur = pro.prices.get(currency="EUR")
    assert (eur.monthly_fee, eur.setup_fee, eur.fixed_fee, eur.percent_fee) == (
        Decimal(99),
        Decimal(149),
        Decimal("0.29"),
        Decimal(1),
    )
    assert sorted(PlanPrice.objects.values_list("plan__slug", "currency")) == [
        ("pro", "EUR"),
        ("pro", "GBP"),
        ("starter", "EUR"),
    ]
    assert sorted(ExchangeRate.objects.values_list("currency", flat=True)) == [
        "CHF",
        "GBP",
        "JPY",
        "SEK",
        "USD",
    ]
    assert plan_price_for(plan=starter, currency="JPY").source == "converted"


def test_the_demo_organizers_become_clients_once_with_a_year_of_sales(alpha, beta):
    from datetime import date

    from django_tenants.utils import schema_context

    from apps.billing.models import BillingAccount, SalesMonth
    from apps.billing.selectors.accounts import account_features, account_price
    from apps.core.audit import Actor
    from apps.organizers.services import organizer_create
    from apps.platform.demo_billing import billing_demo_clients_seed

    billing_demo_seed()
    with schema_context(alpha.schema_name):
        fun = organizer_create(name="Fun park", slug="funpark", currency="EUR", country="NL")
        organizer_create(name="Rollercoaster park", slug="rollercoasterpark", currency="EUR", country="BE")
        organizer_create(name="Not a demo one", slug="someone-else", currency="EUR", country="NL")
    with schema_context(beta.schema_name):
        club = organizer_create(
            name="Football club ABC", slug="footballclubabc", currency="GBP", country="GB"
        )

    billing_demo_clients_seed(today=date(2026, 3, 15))
    coaster_account = BillingAccount.objects.get(organizer_slug="rollercoasterpark")
    billing_account_update(
        account_id=coaster_account.pk, changes={"notes": "Edited by the owner"}, actor=Actor(user=None)
    )
    billing_demo_seed()
    billing_demo_clients_seed(today=date(2026, 3, 15))

    accounts = {account.organizer_slug: account for account in BillingAccount.objects.select_related("plan")}
    assert sorted(accounts) == ["footballclubabc", "funpark", "rollercoasterpark"]
    assert (accounts["funpark"].organization, accounts["funpark"].organizer_id) == (alpha, fun.pk)
    assert (accounts["footballclubabc"].organization, accounts["footballclubabc"].organizer_id) == (
        beta,
        club.pk,
    )
    assert accounts["funpark"].plan.slug == "pro"
    assert accounts["footballclubabc"].currency == "GBP"  # Pro has a GBP price
    coaster = accounts["rollercoasterpark"]
    assert coaster.plan.slug == "starter"
    assert account_price(coaster).monthly_fee == Decimal("19.00")
    assert account_price(coaster).overridden == {"monthly_fee"}
    assert account_features(coaster).overridden == {"box_office"}
    assert coaster.notes == "Edited by the owner"  # the second run leaves it alone
    months = list(SalesMonth.objects.filter(account=accounts["funpark"]).values_list("month", flat=True))
    assert months == [
        date(2025, 4, 1),
        *[date(2025, m, 1) for m in range(5, 13)],
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert SalesMonth.objects.count() == 33  # three clients × eleven past months, not doubled
    assert set(
        SalesMonth.objects.filter(account=accounts["footballclubabc"]).values_list("currency", flat=True)
    ) == {"GBP"}


def test_the_demo_clients_have_paid_overdue_and_open_invoices_each_issued_on_its_billing_day(organizations):
    from datetime import date

    from django_tenants.utils import schema_context

    from apps.billing.models import Invoice
    from apps.organizers.services import organizer_create
    from apps.platform.demo_billing import (
        billing_demo_clients_seed,
        billing_demo_invoices_seed,
        billing_demo_seed,
    )

    today = date(2026, 11, 10)
    billing_demo_seed()
    with schema_context(organizations["alpha"].schema_name):
        organizer_create(name="Fun park", slug="funpark", currency="EUR", country="FR")
    billing_demo_clients_seed(today=today)

    billing_demo_invoices_seed(today=today)
    billing_demo_invoices_seed(today=today)  # idempotent

    invoices = list(Invoice.objects.order_by("period_start"))
    assert len(invoices) == 11  # one a month since the client signed up, on 1 December 2025
    assert [i.status for i in invoices] == [Invoice.Status.PAID] * 9 + [Invoice.Status.OPEN] * 2
    assert [i.is_overdue(today) for i in invoices[-2:]] == [True, False]
    assert invoices[-2].due_date < today <= invoices[-1].due_date
    for invoice in invoices:
        issued = timezone.localdate(invoice.issued_at)
        assert issued == invoice.period_end < invoice.due_date  # never issued after it is due
        if invoice.paid_at:
            assert issued <= timezone.localdate(invoice.paid_at) <= invoice.due_date
    numbers = [invoice.number for invoice in invoices]
    assert numbers == sorted(numbers)  # numbered in the order they were issued


def test_each_demo_invoice_bills_the_fees_on_the_sales_its_client_snapshot_shows(organizations):
    """Fun park's snapshot showed €16,560 of sales in September while its invoice of that
    period had no transaction-fee line: the demo wrote the snapshot (SalesMonth) with no
    orders behind it, and billing, rightly, bills orders. Both now read the same orders."""
    from datetime import date

    from django_tenants.utils import schema_context

    from apps.billing.models import BillingAccount, Invoice, InvoiceLine, SalesMonth
    from apps.billing.selectors.accounts import account_price
    from apps.billing.selectors.periods import months_back
    from apps.core.money import quantize
    from apps.organizers.services import organizer_create
    from apps.platform.demo_billing import billing_demo_clients_seed, billing_demo_invoices_seed
    from apps.sales.models import Ticket

    today = date(2026, 12, 2)  # the day of the report
    billing_demo_seed()
    with schema_context(organizations["alpha"].schema_name):
        organizer_create(name="Fun park", slug="funpark", currency="EUR", country="NL")
    billing_demo_clients_seed(today=today)
    billing_demo_invoices_seed(today=today)

    account = BillingAccount.objects.select_related("plan").get(organizer_slug="funpark")
    price = account_price(account)
    invoices = list(account.invoices.filter(kind=Invoice.Kind.AUTOMATIC).order_by("period_start"))
    for invoice in invoices:
        month = SalesMonth.objects.get(account=account, month=invoice.period_start)
        assert invoice.period_end == months_back(month.month, -1)  # the invoice bills that month
        [fees] = invoice.lines.filter(kind=InvoiceLine.Kind.TRANSACTION_FEES)
        assert month.tickets > 0
        assert fees.quantity == month.tickets
        assert fees.amount == quantize(
            price.fixed_fee * month.tickets + month.gross * price.percent_fee / 100, "EUR"
        )
    assert len(invoices) == 11
    september = SalesMonth.objects.get(account=account, month=date(2026, 9, 1))
    assert (september.tickets, september.gross) == (509, Decimal("16542.50"))  # 0.90 × €18,400 at €32.50
    [sept_invoice] = [i for i in invoices if i.period_start == date(2026, 9, 1)]
    assert sept_invoice.subtotal == Decimal("99.00") + quantize(
        Decimal("0.29") * 509 + Decimal("16542.50") / 100, "EUR"
    )
    # A Dutch client of the Dutch platform: 21 % VAT on top.
    assert sept_invoice.total == sept_invoice.subtotal + quantize(
        sept_invoice.subtotal * Decimal("0.21"), "EUR"
    )
    with schema_context(organizations["alpha"].schema_name):  # the snapshot is those tickets
        assert Ticket.objects.filter(order__paid_at__month=9, order__paid_at__year=2026).count() == 509


def test_the_demo_has_addon_prices_once(organizations):
    from apps.plans.models import AddonPrice
    from apps.plans.selectors import addon_fees_in

    billing_demo_seed()
    billing_demo_seed()

    assert sorted(AddonPrice.objects.values_list("feature", "currency", "monthly_fee")) == [
        ("box_office", "EUR", Decimal("15.00")),
        ("box_office", "GBP", Decimal("13.00")),
        ("custom_domain", "EUR", Decimal("5.00")),
    ]
    chf = addon_fees_in("CHF")
    assert (chf["box_office"].monthly_fee, chf["box_office"].source) == (Decimal("14.25"), "converted")
    assert chf["event_replication"] is None  # a free add-on


def test_a_demo_client_pays_an_addon_and_has_a_pending_adjustment(organizations):
    from datetime import date

    from django_tenants.utils import schema_context

    from apps.billing.models import BillingAccount, BillingAdjustment, InvoiceLine
    from apps.billing.selectors.accounts import account_addons
    from apps.organizers.services import organizer_create
    from apps.platform.demo_billing import billing_demo_clients_seed, billing_demo_invoices_seed

    billing_demo_seed()
    with schema_context(organizations["alpha"].schema_name):
        organizer_create(name="Rollercoaster park", slug="rollercoasterpark", currency="EUR", country="BE")
    billing_demo_clients_seed(today=date(2026, 11, 23))

    billing_demo_invoices_seed(today=date(2026, 11, 23))
    billing_demo_invoices_seed(today=date(2026, 11, 23))  # idempotent

    coaster = BillingAccount.objects.select_related("plan").get(organizer_slug="rollercoasterpark")
    [addon] = account_addons(coaster)
    assert (addon.feature, addon.fee.monthly_fee, addon.fee.currency) == (
        "box_office",
        Decimal("15.00"),
        "EUR",
    )
    assert set(
        InvoiceLine.objects.filter(invoice__account=coaster, kind=InvoiceLine.Kind.ADDON).values_list(
            "amount", flat=True
        )
    ) == {Decimal("15.00")}
    pending = BillingAdjustment.objects.get(account=coaster)
    assert (pending.is_pending, pending.amount) == (True, Decimal("90.00"))


def test_the_demo_invoices_show_vat_reverse_charge_and_none_outside_the_eu(alpha, beta):
    from datetime import date

    from django_tenants.utils import schema_context

    from apps.billing.models import Invoice
    from apps.billing.vat import VatScheme
    from apps.organizers.services import organizer_create
    from apps.platform.demo_billing import billing_demo_clients_seed, billing_demo_invoices_seed

    billing_demo_seed()
    with schema_context(alpha.schema_name):
        organizer_create(
            name="Fun park", slug="funpark", currency="EUR", country="NL", vat_number="NL004495445B01"
        )
        organizer_create(name="Rollercoaster park", slug="rollercoasterpark", currency="EUR", country="BE")
    with schema_context(beta.schema_name):
        organizer_create(name="Football club ABC", slug="footballclubabc", currency="GBP", country="GB")
    billing_demo_clients_seed(today=date(2026, 12, 2))
    billing_demo_invoices_seed(today=date(2026, 12, 2))

    latest = {
        slug: Invoice.objects.filter(account__organizer_slug=slug).latest("period_start")
        for slug in ("funpark", "rollercoasterpark", "footballclubabc")
    }
    assert {slug: (i.vat_scheme, i.vat_rate) for slug, i in latest.items()} == {
        "funpark": (VatScheme.STANDARD, Decimal(21)),
        "rollercoasterpark": (VatScheme.REVERSE_CHARGE, Decimal(0)),
        "footballclubabc": (VatScheme.OUTSIDE_SCOPE, Decimal(0)),
    }
    assert all(i.seller_name == "Fancy Tickets B.V." for i in latest.values())
    assert (latest["funpark"].client_name, latest["funpark"].client_vat_number) == (
        "Fun Park Amsterdam B.V.",
        "NL004495445B01",
    )
    assert latest["rollercoasterpark"].client_vat_number == "BE0476000081"
