"""Events of the twin organizations, made through the events services as operators do."""

import datetime as dt

from django.utils import timezone

from apps.events.models import Event
from apps.events.services import event_create, event_date_create, event_publish, location_create
from apps.organizers.models import Organizer
from apps.organizers.services import organizer_create


def organizer_of(tenant) -> Organizer:
    """The organizer its test tenant's organizer host is bound to (call inside the schema)."""
    return Organizer.objects.filter(slug=tenant.organizer_slug).first() or organizer_create(
        name=tenant.name, slug=tenant.organizer_slug, currency="EUR", country="NL"
    )


def soon(days: float, hours: int = 2) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.now() + dt.timedelta(days=days)
    return start, start + dt.timedelta(hours=hours)


def event_with_dates(
    organizer: Organizer,
    *,
    name: str,
    city: str = "Utrecht",
    venue: str = "Gate",
    days: tuple[float, ...] = (10,),
    publish: bool = True,
    **fields,
) -> Event:
    location = location_create(organizer=organizer, name=venue, address="Parkweg 1", city=city, country="NL")
    event = event_create(organizer=organizer, location=location, name=name, **fields)
    for day in days:
        start, end = soon(day)
        event_date_create(event=event, start=start, end=end)
    if publish:
        event_publish(event=event)
    return event
