"""A small shop to sell from: one organizer, one published event, dates and ticket types;
paid orders, and the sales the figures pages are tested with (figures_sales_build)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.organizers.models import Distribution
from apps.organizers.services import organizer_create
from apps.payments.models import Payment
from apps.sales.models import Order
from apps.sales.services.fees import fee_rule_save
from apps.sales.services.orders import OrderLine, order_create, order_mark_paid
from apps.sales.services.payments import order_refund
from tests.tenants import ALPHA


@dataclass
class Shop:
    organizer: object
    online: object
    box_office: object
    location: object
    event: object
    dates: list
    day_ticket: object  # for dates[0]
    pass_ticket: object  # every date

    def date_ticket(self, index: int, **fields):
        return events.ticket_type_create(
            event=self.event,
            event_date=self.dates[index],
            name=f"Day {index + 1}",
            price=fields.pop("price", Decimal("10.00")),
            **fields,
        )


def shop_build(*, capacity: int | None = 20, days: int = 2, currency: str = "EUR", slug: str = "") -> Shop:
    organizer = organizer_create(
        name=f"Shop {slug or currency}", slug=slug, country="FR", currency=currency, legal_name="Shop SAS"
    )
    online = organizer.distributions.get(kind=Distribution.Kind.ONLINE_SHOP)
    box_office = organizer.distributions.get(kind=Distribution.Kind.BOX_OFFICE)
    location = events.location_create(
        organizer=organizer, name="Hall", address="1 rue", city="Lyon", country="FR", capacity=None
    )
    event = events.event_create(
        organizer=organizer, location=location, name="Show", distributions=[online, box_office]
    )
    start = timezone.now() + dt.timedelta(days=30)
    dates = [
        events.event_date_create(
            event=event,
            start=start + dt.timedelta(days=i),
            end=start + dt.timedelta(days=i, hours=2),
            capacity=capacity,
        )
        for i in range(days)
    ]
    events.event_publish(event=event)
    day_ticket = events.ticket_type_create(
        event=event, event_date=dates[0], name="Standard", price=Decimal("10.00")
    )
    pass_ticket = events.ticket_type_create(event=event, name="Pass", price=Decimal("25.00"))
    return Shop(organizer, online, box_office, location, event, dates, day_ticket, pass_ticket)


def payments_connect(organizer, *, account_id: str = "", charges_enabled: bool = True):
    """The organizer's Stripe account, connected and able to take payments (public schema):
    without one the storefront says online sales open soon and takes no reservation."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from apps.payments.models import ConnectedAccount

    schema_name = connection.schema_name
    with schema_context("public"):
        account, _created = ConnectedAccount.objects.update_or_create(
            schema_name=schema_name,
            organizer_id=organizer.pk,
            defaults={
                "stripe_account_id": account_id or f"acct_1{schema_name[:8]}{organizer.pk}",
                "charges_enabled": charges_enabled,
            },
        )
    return account


def paid_order(distribution, ticket_type, quantity, *, method=None, buyer: str = "", event_date=None):
    """A paid order of `quantity` × `ticket_type` through `distribution` (cash unless `method`
    says otherwise; an order awaiting payment is marked paid)."""
    order = order_create(
        distribution=distribution,
        lines=[OrderLine(ticket_type=ticket_type, quantity=quantity, event_date=event_date)],
        email="buyer@example.net",
        buyer_name=buyer,
        payment_method=method or Order.PaymentMethod.CASH,
    )
    if order.status == Order.Status.PENDING:
        order = order_mark_paid(order_id=order.pk)
    return order


def figures_sales_build(team, programme, marker):
    """A's sales, the figures pages' (dashboard, report, ledger): today 2 standard tickets at
    the box office (cash, one refunded since) and a pass online by card (1.50 platform fee);
    10 days ago 1 standard ticket at the box office. A service fee of 1.00 per ticket. B: one
    seat at its box office today. In the current schema."""
    fee_rule_save(organizer=team.a, name=f"{marker} fee", fixed=Decimal("1.00"))
    events.event_publish(event=programme.concert)
    box = paid_order(team.a_box, programme.day1_ticket, 2, buyer=f"{marker} box buyer")
    online = paid_order(
        team.a_shop, programme.concert_pass, 1, method=Order.PaymentMethod.STRIPE, buyer=f"{marker} web buyer"
    )
    Payment.objects.create(
        purpose=Order.PAYMENT_PURPOSE,
        object_id=online.pk,
        intent_id=f"pi_{marker}_online",
        stripe_account_id="acct_dashboard",
        amount=online.total,
        amount_received=online.total,
        currency="EUR",
        application_fee=Decimal("1.50"),
        status=Payment.Status.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    older = paid_order(team.a_box, programme.day1_ticket, 1, buyer=f"{marker} older buyer")
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    Order.objects.filter(pk=older.pk).update(paid_at=ten_days_ago, created_at=ten_days_ago)
    order_refund(order_id=box.pk, ticket_ids=[box.tickets.first().pk])
    gala = paid_order(team.b_box, programme.gala_ticket, 1, buyer=f"{marker}-B buyer")
    return {"box": box, "online": online, "older": older, "gala": gala}


def in_alpha(query):
    """What `query()` answers in alpha's schema (a test's check of what was written there)."""
    with schema_context(ALPHA.schema_name):
        return query()
