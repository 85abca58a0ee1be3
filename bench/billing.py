"""Billing benchmark (shared/BENCH.md "billing"): the monthly run over many clients.

Provisions N organizations (cloned) with M client organizers each, every one with sales in
the period (paid orders inserted in bulk), then times the billing run of today: every
account's invoicing task run in this process one after the other (what the workers share
in production), invoices with their lines and PDFs, e-mails to an in-memory outbox.
A second run of the same day must create 0 invoices. Prints the figures, writes
bench/results/billing.json and removes everything it created (the invoice counter too).

    .venv/bin/python bench/billing.py [--organizations 200] [--per-organization 5] [--orders 10]
"""

import argparse
import datetime as dt
import json
import os
import time
from decimal import Decimal

import _django

os.environ["DEBUG"] = "false"
os.environ["EMAIL_URL"] = "memorymail://"
_django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from apps.billing.models import BillingAccount, Invoice, InvoiceSequence  # noqa: E402
from apps.billing.selectors.periods import accounts_due  # noqa: E402
from apps.billing.services.accounts import billing_account_open  # noqa: E402
from apps.billing.services.run import account_invoice_for_period  # noqa: E402
from apps.events import services as events  # noqa: E402
from apps.organizers.models import Distribution  # noqa: E402
from apps.organizers.services import organizer_create  # noqa: E402
from apps.plans.models import Plan  # noqa: E402
from apps.plans.services import plan_create  # noqa: E402
from apps.sales.models import Order, Ticket  # noqa: E402
from apps.tenancy import services as tenancy  # noqa: E402
from apps.tenancy.models import Organization  # noqa: E402
from apps.tenancy.selectors import routes_changed  # noqa: E402
from config.celery import app  # noqa: E402

PREFIX = "bench-bill"
PLAN = "bench-billing-plan"


def _plan() -> Plan:
    plan = Plan.objects.filter(slug=PLAN).first()
    if plan is None:
        plan = plan_create(
            name="Bench billing",
            slug=PLAN,
            is_public=False,
            price={
                "currency": "EUR",
                "monthly_fee": Decimal("29.00"),
                "setup_fee": Decimal("10.00"),
                "fixed_fee": Decimal("0.49"),
                "percent_fee": Decimal("1.50"),
            },
        )
    return plan


def setup(organizations: int, per_organization: int, orders: int, today: dt.date) -> int:
    plan = _plan()
    signed_up = timezone.now() - dt.timedelta(days=40)
    paid_at = timezone.now() - dt.timedelta(days=3)
    accounts = 0
    for number in range(organizations):
        slug = f"{PREFIX}-{number:04}"
        organization = tenancy.organization_create(name=f"Bench billing {number}", slug=slug)
        with schema_context(organization.schema_name):
            organizers = [
                organizer_create(
                    name=f"{slug} organizer {n}", slug=f"{slug}-o{n}", currency="EUR", country="FR"
                )
                for n in range(per_organization)
            ]
            location = events.location_create(
                organizer=organizers[0], name="Hall", address="1 rue", city="Lyon", country="FR"
            )
            event = events.event_create(organizer=organizers[0], location=location, name="Show")
            start = timezone.now() + dt.timedelta(days=10)
            date = events.event_date_create(event=event, start=start, end=start + dt.timedelta(hours=2))
            ticket_type = events.ticket_type_create(
                event=event, event_date=date, name="Seat", price=Decimal("20.00")
            )
            with transaction.atomic():
                for organizer in organizers:
                    channel = organizer.distributions.get(kind=Distribution.Kind.BOX_OFFICE)
                    made = Order.objects.bulk_create(
                        Order(
                            organizer=organizer,
                            distribution=channel,
                            status=Order.Status.PAID,
                            payment_method=Order.PaymentMethod.CASH,
                            email=f"buyer{i}@bench.example",
                            currency="EUR",
                            subtotal=Decimal("40.00"),
                            total=Decimal("40.00"),
                            holds_capacity=True,
                            paid_at=paid_at,
                        )
                        for i in range(orders)
                    )
                    Ticket.objects.bulk_create(
                        Ticket(order=order, ticket_type=ticket_type, event_date=date, price=Decimal("20.00"))
                        for order in made
                        for _ in range(2)
                    )
        for organizer in organizers:
            account = billing_account_open(
                organization=organization,
                organizer_id=organizer.pk,
                organizer_name=organizer.name,
                organizer_slug=organizer.slug,
                country="FR",
                plan=plan,
                contact_email=f"billing@{organizer.slug}.example",
            )
            BillingAccount.objects.filter(pk=account.pk).update(
                signed_up_at=signed_up, billing_anchor_day=today.day
            )
            accounts += 1
        if (number + 1) % 20 == 0:
            print(f"  {number + 1} organizations, {accounts} accounts", flush=True)
    return accounts


def run(today: dt.date) -> tuple[float, int]:
    """The run of `today` as the workers do it: every due account's task, here in turn."""
    before = Invoice.objects.filter(account__plan__slug=PLAN).count()
    started = time.perf_counter()
    for account_id in accounts_due(today).filter(plan__slug=PLAN).values_list("pk", flat=True):
        account_invoice_for_period(account_id=account_id, on=today)
    elapsed = time.perf_counter() - started
    return elapsed, Invoice.objects.filter(account__plan__slug=PLAN).count() - before


def cleanup(sequence_before: dict[int, int]) -> None:
    connection.set_schema_to_public()
    invoices = Invoice.objects.filter(account__plan__slug=PLAN)
    invoices.delete()
    BillingAccount.objects.filter(plan__slug=PLAN).delete()
    Plan.objects.filter(slug=PLAN).delete()
    for sequence in InvoiceSequence.objects.all():
        taken_since = (
            not Invoice.objects.filter(number__startswith=f"INV-{sequence.year}-")
            .exclude(number__lte=f"INV-{sequence.year}-{sequence_before.get(sequence.year, 0):06d}")
            .exists()
        )
        if taken_since:  # nobody else numbered an invoice meanwhile: give the numbers back
            InvoiceSequence.objects.filter(pk=sequence.pk).update(last=sequence_before.get(sequence.year, 0))
    for organization in Organization.objects.filter(slug__startswith=PREFIX):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{organization.schema_name}" CASCADE')
        organization.domains.all().delete()
        organization.delete()
    routes_changed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--per-organization", type=int, default=5)
    parser.add_argument("--orders", type=int, default=10, help="paid orders (2 tickets each) per client")
    args = parser.parse_args()

    from django.core.management import call_command

    call_command("migrate_schemas", interactive=False, verbosity=0)
    app.conf.task_always_eager = True  # the e-mail and charge tasks run here, not in a queue
    today = timezone.localdate()
    sequence_before = dict(InvoiceSequence.objects.values_list("year", "last"))
    cleanup(sequence_before)
    try:
        print(f"Setting up {args.organizations} organizations × {args.per_organization} clients…", flush=True)
        started = time.perf_counter()
        accounts = setup(args.organizations, args.per_organization, args.orders, today)
        print(f"  set up in {time.perf_counter() - started:.0f} s", flush=True)
        first_seconds, first_invoices = run(today)
        second_seconds, second_invoices = run(today)
    finally:
        cleanup(sequence_before)

    result = {
        "organizations": args.organizations,
        "accounts": accounts,
        "orders_per_account": args.orders,
        "first_run_s": round(first_seconds, 1),
        "first_run_invoices": first_invoices,
        "per_account_ms": round(first_seconds / max(accounts, 1) * 1000, 1),
        "second_run_s": round(second_seconds, 1),
        "second_run_invoices": second_invoices,
    }
    print(
        f"\nbilling — {accounts} accounts over {args.organizations} organizations, sequential in one process"
    )
    print(
        _django.markdown_table(
            ["accounts", "first run s", "invoices", "ms/account", "second run s", "invoices (must be 0)"],
            [
                [
                    accounts,
                    result["first_run_s"],
                    first_invoices,
                    result["per_account_ms"],
                    result["second_run_s"],
                    second_invoices,
                ]
            ],
        )
    )
    _django.RESULTS.mkdir(exist_ok=True)
    (_django.RESULTS / "billing.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
