"""The demo platform's clients: the demo organizers' client accounts on the demo plans, their
sales, invoices and adjustments (idempotent: run it as often as you like)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing import services
from apps.billing.models import BillingAccount, BillingAdjustment, SalesMonth
from apps.billing.selectors.accounts import billing_account_of
from apps.billing.selectors.periods import anchor_date, first_of_month, months_back
from apps.billing.services import SYSTEM
from apps.billing.services.accounts import billing_account_open, billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create
from apps.billing.services.collection import invoice_mark_paid
from apps.billing.services.run import account_invoice_for_period
from apps.organizers.models import Organizer
from apps.plans.demo import plans_demo_seed
from apps.plans.models import Plan
from apps.tenancy.models import Organization


def billing_demo_seed() -> None:
    """The demo plans (apps.plans.demo) and the client accounts of the demo organizers that
    exist already (see billing_demo_clients_seed)."""
    plans_demo_seed()
    billing_demo_clients_seed()


@dataclass(frozen=True)
class DemoClient:
    plan: str
    monthly_sales: Decimal  # a typical month's paid sales, in the organizer's currency
    ticket_price: Decimal
    changes: dict = field(default_factory=dict)  # billing_account_update changes: overrides, notes


# The demo organizers (apps.platform.demo) and the client account each gets.
DEMO_CLIENTS = {
    "funpark": DemoClient("pro", Decimal("18400.00"), Decimal("32.50")),
    "waterpark": DemoClient(
        "starter",
        Decimal("6200.00"),
        Decimal("27.00"),
        changes={"box_office_override": True},  # its cashier sells at the gate: a paid add-on
    ),
    "rollercoasterpark": DemoClient(
        "starter",
        Decimal("2300.00"),
        Decimal("19.50"),
        changes={
            "monthly_fee_override": Decimal("19.00"),
            "box_office_override": True,  # not in Starter: a paid add-on (ADDON_PRICES)
            "notes": "Launch discount and box office until the end of the first season.",
        },
    ),
    "footballclubabc": DemoClient("pro", Decimal("41000.00"), Decimal("25.00")),
}
# Seasons: each past month's share of a typical month, oldest (eleven months ago) first.
SEASON = (
    Decimal("0.35"),
    Decimal("0.40"),
    Decimal("0.60"),
    Decimal("0.85"),
    Decimal("1.10"),
    Decimal("1.30"),
    Decimal("1.45"),
    Decimal("1.25"),
    Decimal("0.90"),
    Decimal("0.70"),
    Decimal("0.55"),
)


def billing_demo_clients_seed(*, today: date | None = None) -> None:
    """A client account for every demo organizer of a live organization (DEMO_CLIENTS), with the
    last eleven months of sales; the current month is left to real sales. Accounts that exist
    are left as the owner made them."""
    current = first_of_month(today or timezone.localdate())
    organizations = Organization.objects.filter(status=Organization.Status.READY).exclude(
        schema_name=get_public_schema_name()
    )
    for organization in organizations:
        with schema_context(organization.schema_name):
            organizers = list(Organizer.objects.filter(slug__in=DEMO_CLIENTS).order_by("pk"))
        for organizer in organizers:
            if billing_account_of(organization_id=organization.pk, organizer_id=organizer.pk) is None:
                _demo_client_open(organization, organizer, DEMO_CLIENTS[organizer.slug], current)


@transaction.atomic
def _demo_client_open(organization, organizer, spec: DemoClient, current: date) -> None:
    account = billing_account_open(
        organization=organization,
        organizer_id=organizer.pk,
        organizer_name=organizer.name,
        organizer_slug=organizer.slug,
        country=str(organizer.country),
        plan=Plan.objects.get(slug=spec.plan),
        contact_email=f"billing@{organizer.slug}.example",
    )
    if spec.changes:
        billing_account_update(account_id=account.pk, changes=spec.changes, actor=services.SYSTEM)
    for months_ago, share in zip(range(len(SEASON), 0, -1), SEASON, strict=True):
        gross = (spec.monthly_sales * share).quantize(Decimal("0.01"))
        tickets = int(gross / spec.ticket_price)
        SalesMonth.objects.get_or_create(
            account=account,
            month=months_back(current, months_ago),
            defaults={
                "gross": gross,
                "tickets": tickets,
                "orders": max(tickets // 3, 1),
                "currency": organizer.currency,
            },
        )


def billing_demo_invoices_seed(*, today: date | None = None) -> None:
    """Three months of monthly invoices for each demo client that has none: the oldest paid,
    the next overdue, the last open (no card on file, so nothing is charged)."""
    from datetime import timedelta

    today = today or timezone.localdate()
    for account in BillingAccount.objects.filter(organizer_slug__in=DEMO_CLIENTS, invoices=None):
        anchor = min(today.day, 28)
        signed_up = timezone.now() - timedelta(days=100)
        BillingAccount.objects.filter(pk=account.pk).update(
            signed_up_at=signed_up.replace(day=anchor), billing_anchor_day=anchor
        )
        closes = [months_back(first_of_month(today), back) for back in (2, 1, 0)]
        invoices = [
            account_invoice_for_period(account_id=account.pk, on=anchor_date(month.year, month.month, anchor))
            for month in closes
            if anchor_date(month.year, month.month, anchor) <= today
        ]
        invoices = [invoice for invoice in invoices if invoice is not None]
        if invoices:
            invoice_mark_paid(invoice_id=invoices[0].pk, actor=SYSTEM)
    billing_demo_adjustments_seed()


# One-off charges waiting for a demo client's next invoice (made after its past invoices, so
# they stay pending).
DEMO_ADJUSTMENTS = {
    "rollercoasterpark": [("Box office staff training (half a day)", Decimal("90.00"))],
}


def billing_demo_adjustments_seed() -> None:
    """A pending adjustment for the demo clients of DEMO_ADJUSTMENTS that never had one."""

    for account in BillingAccount.objects.filter(organizer_slug__in=DEMO_ADJUSTMENTS):
        if BillingAdjustment.objects.filter(account=account).exists():
            continue
        for description, amount in DEMO_ADJUSTMENTS[account.organizer_slug]:
            billing_adjustment_create(
                account_id=account.pk, description=description, amount=amount, actor=SYSTEM
            )
