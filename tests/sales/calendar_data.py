"""A theme park to test the shop's calendar with: an event open every day with timeslots,
one ticket type per timeslot, in the organizer's zone (Europe/Paris)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.core.timezones import make_aware_in
from apps.events import services as events
from apps.events.models import EventDate, TicketType
from apps.organizers.models import Distribution
from apps.organizers.services import organizer_create

ZONE = "Europe/Paris"


@dataclass
class Park:
    organizer: object
    online: object
    event: object
    first_day: dt.date
    dates: list  # by day, then time

    def on(self, day_index: int) -> list:
        """The timeslots of the park's `day_index`-th day."""
        day = self.first_day + dt.timedelta(days=day_index)
        return [d for d in self.dates if timezone.localtime(d.start, timezone=_zone()).date() == day]


def _zone():
    from apps.core.timezones import zone

    return zone(ZONE)


def park_build(
    *,
    days: int = 14,
    times: tuple[str, ...] = ("10:00", "14:00"),
    capacity: int | None = 50,
    slug: str = "park",
    first_day: dt.date | None = None,
    name: str = "Theme park",
) -> Park:
    """An organizer `slug` (France) with a published event in its shop, open `days` days from
    `first_day` (default: the 1st of next month) at each of `times` (local) for an hour,
    `capacity` each, one "Entry" ticket type per timeslot. Dates and ticket types are
    bulk-inserted (a year of them in a test's time)."""
    organizer = organizer_create(
        name=f"Park {slug}", slug=slug, country="FR", currency="EUR", legal_name="Park SAS"
    )
    online = organizer.distributions.get(kind=Distribution.Kind.ONLINE_SHOP)
    location = events.location_create(
        organizer=organizer, name="Park", address="1 allée", city="Lyon", country="FR", capacity=None
    )
    event = events.event_create(organizer=organizer, location=location, name=name, distributions=[online])
    today = timezone.localtime(timezone=_zone()).date()
    first_day = first_day or (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    starts = [
        make_aware_in(dt.datetime.combine(first_day + dt.timedelta(days=i), dt.time.fromisoformat(t)), ZONE)
        for i in range(days)
        for t in times
    ]
    dates = EventDate.objects.bulk_create(
        [EventDate(event=event, start=s, end=s + dt.timedelta(hours=1), capacity=capacity) for s in starts]
    )
    TicketType.objects.bulk_create(
        [TicketType(event=event, event_date=d, name="Entry", price=Decimal("12.00")) for d in dates]
    )
    events.event_publish(event=event)
    return Park(organizer, online, event, first_day, dates)
