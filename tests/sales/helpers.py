"""A small shop to sell from: one organizer, one published event, dates and ticket types."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.events import services as events
from apps.organizers.models import Distribution
from apps.organizers.services import organizer_create


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
