"""Reads of the events hub: only the public-schema index, never an organization's schema."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from apps.hub.models import HubEvent, search_text


def hub_events(
    *,
    text: str = "",
    city: str = "",
    ends_from: datetime | None = None,
    starts_before: datetime | None = None,
) -> QuerySet[HubEvent]:
    """Events with dates to come, soonest first. Every word of `text` must appear in the
    event's name, organizer, city or location; `city` matches whole (any case); the dates
    bound the events' span: still running at `ends_from`, begun before `starts_before`."""
    events = HubEvent.objects.filter(last_end__gte=timezone.now())
    for word in search_text(text).split():
        events = events.filter(search__contains=word)
    if city.strip():
        events = events.filter(city__iexact=city.strip())
    if ends_from is not None:
        events = events.filter(last_end__gte=ends_from)
    if starts_before is not None:
        events = events.filter(next_start__lt=starts_before)
    return events.order_by("next_start", "id")
