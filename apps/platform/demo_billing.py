"""The demo platform's clients: the demo organizers' client accounts on the demo plans, their
sales, invoices and adjustments (idempotent: run it as often as you like)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from apps.billing import services
from apps.billing.models import BillingAccount, BillingAdjustment, Invoice, InvoiceIssuer
from apps.billing.selectors.accounts import billing_account_of
from apps.billing.selectors.periods import anchor_date, first_of_month, months_back
from apps.billing.services import SYSTEM
from apps.billing.services.accounts import billing_account_open, billing_account_update
from apps.billing.services.adjustments import billing_adjustment_create
from apps.billing.services.collection import invoice_mark_paid
from apps.billing.services.invoicing import invoice_issuer_update
from apps.billing.services.run import account_invoice_for_period
from apps.billing.services.sales_months import sales_month_refresh
from apps.events.services import (
    event_create,
    event_date_create,
    event_publish,
    location_create,
    ticket_type_create,
)
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Distribution, Organizer
from apps.plans.demo import plans_demo_seed
from apps.plans.models import Plan
from apps.sales import inventory
from apps.sales.models import Order, Ticket
from apps.tenancy.models import Organization

# Who the demo platform's invoices are from (demo figures: the Dutch standard rate).
DEMO_ISSUER = {
    "legal_name": "Fancy Tickets B.V.",
    "legal_address": "Keizersgracht 1\n1015 CJ Amsterdam",
    "legal_country": "NL",
    "vat_number": "NL123456782B01",
    "vat_rate": Decimal("21.00"),
}


def billing_demo_seed() -> None:
    """The demo plans (apps.plans.demo), the invoices' issuer (once: what the owner has since
    entered is kept) and the client accounts of the demo organizers that exist already (see
    billing_demo_clients_seed)."""
    plans_demo_seed()
    if not InvoiceIssuer.objects.exists():
        invoice_issuer_update(changes=DEMO_ISSUER)
    billing_demo_clients_seed()


@dataclass(frozen=True)
class DemoClient:
    plan: str
    monthly_sales: Decimal  # a typical month's paid sales, in the organizer's currency
    ticket_price: Decimal
    changes: dict = field(default_factory=dict)  # billing_account_update changes: overrides, notes
    legal_name: str = ""
    legal_address: str = ""
    vat_number: str = ""  # one the organizer has (DemoOrganizer) wins


# The demo organizers (apps.platform.demo) and the client account each gets.
DEMO_CLIENTS = {
    # The Dutch parks pay the platform's Dutch VAT; the Belgian one, a business with a VAT
    # number, is reverse charged; the English club is outside the scope of EU VAT.
    "funpark": DemoClient(
        "pro",
        Decimal("18400.00"),
        Decimal("32.50"),
        legal_name="Fun Park Amsterdam B.V.",
        legal_address="Parkweg 1\n1011 AA Amsterdam",
    ),
    "waterpark": DemoClient(
        "starter",
        Decimal("6200.00"),
        Decimal("27.00"),
        changes={"box_office_override": True},  # its cashier sells at the gate: a paid add-on
        legal_name="Water Park Zandvoort B.V.",
        legal_address="Strandweg 4\n2042 AA Zandvoort",
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
        legal_name="Rollercoaster Park SRL",
        legal_address="Rue du Parc 9\n4000 Liège",
        vat_number="BE0476000081",
    ),
    "footballclubabc": DemoClient(
        "pro",
        Decimal("41000.00"),
        Decimal("25.00"),
        legal_name="Football Club ABC Ltd",
        legal_address="1 Stadium Road\nManchester M1 1AA",
        vat_number="GB980780684",
    ),
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
    """The client account, signed up on the first day of its first month of sales and billed on
    the first of every month (so each monthly invoice covers one calendar month, the month the
    client's snapshot shows), and its past sales as real orders in its own schema."""
    account = billing_account_open(
        organization=organization,
        organizer_id=organizer.pk,
        organizer_name=organizer.name,
        organizer_slug=organizer.slug,
        country=str(organizer.country),
        plan=Plan.objects.get(slug=spec.plan),
        contact_email=f"billing@{organizer.slug}.example",
        legal_name=spec.legal_name,
        vat_number=organizer.vat_number or spec.vat_number,
    )
    changes = {**spec.changes, "legal_address": spec.legal_address}
    billing_account_update(account_id=account.pk, changes=changes, actor=services.SYSTEM)
    first_month = months_back(current, len(SEASON))
    # The demo's history starts before today: as if the client had signed up then.
    BillingAccount.objects.filter(pk=account.pk).update(
        signed_up_at=_at(first_month, hour=9), billing_anchor_day=1
    )
    account.refresh_from_db()
    with schema_context(organization.schema_name):
        months = _demo_history(organizer, spec, current)
    # The snapshot is counted from those orders, as the nightly refresh counts real sales:
    # it and the invoices' transaction fees read the same tickets.
    for month in months:
        sales_month_refresh(account=account, month=month)


def _at(day: date, *, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _demo_history(organizer: Organizer, spec: DemoClient, current: date) -> list[date]:
    """The organizer's past season in its own schema: an event with one date a month over the
    SEASON's months, each with its paid box-office orders (about three tickets each, paid through
    the month) worth that month's share of `spec.monthly_sales`. Returns the months."""
    box_office = organizer.distributions.get(kind=Distribution.Kind.BOX_OFFICE)
    location = organizer.locations.order_by("pk").first() or location_create(
        organizer=organizer,
        name=f"{organizer.name} grounds",
        address="1 Demo street",
        city="Demo city",
        country=organizer.country,
        capacity=10000,
    )
    event = event_create(
        organizer=organizer,
        location=location,
        name=f"{organizer.name} — last season",
        distributions=[box_office],
    )
    months = []
    for months_ago, share in zip(range(len(SEASON), 0, -1), SEASON, strict=True):
        month = months_back(current, months_ago)
        months.append(month)
        start = _at(month.replace(day=20), hour=10)
        event_date = event_date_create(event=event, start=start, end=start + timedelta(hours=8))
        ticket_type = ticket_type_create(
            event=event, event_date=event_date, name="Day ticket", price=spec.ticket_price
        )
        tickets = int(spec.monthly_sales * share / spec.ticket_price)
        sizes = [3] * (tickets // 3) + ([tickets % 3] if tickets % 3 else [])
        orders = Order.objects.bulk_create(
            Order(
                organizer=organizer,
                distribution=box_office,
                status=Order.Status.PAID,
                payment_method=Order.PaymentMethod.CASH,
                email=f"buyer{number}@{organizer.slug}.example",
                buyer_name=f"Demo buyer {number}",
                currency=organizer.currency,
                subtotal=spec.ticket_price * size,
                total=spec.ticket_price * size,
                paid_at=_at(month.replace(day=1 + number % 19), hour=9 + number % 10),
                confirmation_sent_at=_at(month.replace(day=1 + number % 19), hour=9 + number % 10),
            )
            for number, size in enumerate(sizes, start=1)
        )
        Ticket.objects.bulk_create(
            Ticket(order=order, ticket_type=ticket_type, event_date=event_date, price=spec.ticket_price)
            for order, size in zip(orders, sizes, strict=True)
            for _ in range(size)
        )
        # An order is made when it is paid at the counter (created_at is set on insert).
        Order.objects.filter(pk__in=[order.pk for order in orders]).update(created_at=F("paid_at"))
        claim = inventory.Claim()
        claim.add(ticket_type_id=ticket_type.pk, date_ids=[event_date.pk], quantity=tickets)
        inventory.take(claim, state="sold")
    event_publish(event=event)
    catalog_changed()  # new dates and ticket types in the cached catalog
    return months


def billing_demo_invoices_seed(*, today: date | None = None) -> None:
    """The monthly invoices of each demo client that has none, one per month since it signed up
    (billing_demo_clients_seed), each issued on its billing day as the run would have: all paid
    a few days later but the last two, the older of them overdue and the last open until its
    due date (no card on file, so nothing is charged)."""
    today = today or timezone.localdate()
    for account in BillingAccount.objects.filter(organizer_slug__in=DEMO_CLIENTS, invoices=None):
        signed_up = timezone.localdate(account.signed_up_at)
        closes = []
        day = months_back(first_of_month(signed_up), -1)
        while day <= today:
            closes.append(anchor_date(day.year, day.month, account.billing_anchor_day))
            day = months_back(day, -1)
        invoices = []
        for close in closes:
            invoice = account_invoice_for_period(account_id=account.pk, on=close)
            if invoice is None:
                continue
            # The demo's past: the invoice was made on its billing day, not today.
            Invoice.objects.filter(pk=invoice.pk).update(issued_at=_at(close, hour=6))
            invoices.append(invoice)
        for invoice in invoices[:-2]:
            invoice_mark_paid(invoice_id=invoice.pk, actor=SYSTEM, via="bank transfer")
            Invoice.objects.filter(pk=invoice.pk).update(
                paid_at=_at(invoice.period_end + timedelta(days=5), hour=11)
            )
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
