"""Reads of the events hub: only the public-schema index, never an organization's schema."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import DateField, F, Func, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from apps.hub.models import HubEvent, search_text

# How far a local day's start can be from UTC's (Pacific/Kiritimati is UTC+14, UTC-12 the other end).
_ZONES_AHEAD, _ZONES_BEHIND = timedelta(hours=14), timedelta(hours=12)


def _local_day(field: str) -> Cast:
    """The day a timestamp falls on in its row's time zone (PostgreSQL's timezone(zone, ts))."""
    return Cast(Func(F("time_zone"), F(field), function="timezone"), DateField())


def hub_events(
    *,
    text: str = "",
    city: str = "",
    days_from: date | None = None,
    days_to: date | None = None,
) -> QuerySet[HubEvent]:
    """Events with dates to come, soonest first. Every word of `text` must appear in the
    event's name, organizer, city or location; `city` matches whole (any case); the days
    bound the events' span, each in its own time zone: still running on `days_from`, begun
    by the end of `days_to`."""
    events = HubEvent.objects.filter(last_end__gte=timezone.now())
    for word in search_text(text).split():
        events = events.filter(search__contains=word)
    if city.strip():
        events = events.filter(city__iexact=city.strip())
    # A coarse bound on the indexed columns, then the day in each event's zone.
    if days_from is not None:
        events = events.filter(last_end__gte=datetime.combine(days_from, time.min, UTC) - _ZONES_AHEAD)
        events = events.alias(last_day=_local_day("last_end")).filter(last_day__gte=days_from)
    if days_to is not None:
        next_day = datetime.combine(days_to + timedelta(days=1), time.min, UTC)
        events = events.filter(next_start__lt=next_day + _ZONES_BEHIND)
        events = events.alias(first_day=_local_day("next_start")).filter(first_day__lte=days_to)
    return events.order_by("next_start", "id")
