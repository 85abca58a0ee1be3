"""Reads of events, with who may see what decided by apps.operators.permissions."""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from django.db.models import Count, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from apps.accounts.models import User
from apps.core.timezones import FALLBACK_TIME_ZONE
from apps.events.models import Event, EventDate, Location, TicketType
from apps.operators.permissions import (
    Someone,
    distributions_sellable_by,
    is_operator,
    organizers_configurable_by,
)
from apps.organizers.models import Organizer


def _operator(user: Someone) -> TypeGuard[User]:
    return is_operator(user)


def events_visible_to(user: Someone) -> QuerySet[Event]:
    """Events of organizers one configures, or offered in a distribution one sells in."""
    if not _operator(user):
        return Event.objects.none()
    if user.is_admin:
        return Event.objects.all()
    return Event.objects.filter(
        Q(organizer__in=organizers_configurable_by(user))
        | Q(distributions__in=distributions_sellable_by(user))
    ).distinct()


def locations_visible_to(user: Someone) -> QuerySet[Location]:
    if not _operator(user):
        return Location.objects.none()
    if user.is_admin:
        return Location.objects.all()
    return Location.objects.filter(
        Q(organizer__in=organizers_configurable_by(user)) | Q(events__in=events_visible_to(user))
    ).distinct()


def event_dates_visible_to(user: Someone) -> QuerySet[EventDate]:
    return EventDate.objects.filter(event__in=events_visible_to(user))


def ticket_types_visible_to(user: Someone) -> QuerySet[TicketType]:
    return TicketType.objects.filter(event__in=events_visible_to(user))


def published_events_of(organizer: Organizer) -> QuerySet[Event]:
    """What an organizer's storefront lists: published events with dates to come, soonest first."""
    return (
        Event.objects.filter(
            organizer=organizer, status=Event.Status.PUBLISHED, dates__end__gte=timezone.now()
        )
        .annotate(next_start=Min("dates__start"))
        .select_related("location", "organizer")
        .order_by("next_start", "name")
    )


@dataclass(frozen=True)
class ListedEvent:
    """What the events hub shows of a published event with dates to come (plain values: the
    hub keeps them in its own table and never reads the events models)."""

    event_id: int
    name: str
    category: str
    organizer_name: str
    organizer_slug: str
    location_name: str
    city: str
    country: str
    next_start: datetime
    last_end: datetime
    date_count: int  # dates to come
    time_zone: str  # its location's, else its organizer's (Event.time_zone)


def _listed_events(events: QuerySet[Event]) -> list[ListedEvent]:
    upcoming = Q(dates__end__gte=timezone.now())
    rows = (
        events.filter(status=Event.Status.PUBLISHED)
        .annotate(
            next_start=Min("dates__start", filter=upcoming),
            last_end=Max("dates__end", filter=upcoming),
            date_count=Count("dates", filter=upcoming),
            zone=Coalesce(
                NullIf("location__time_zone", Value("")),
                NullIf("organizer__time_zone", Value("")),
                Value(FALLBACK_TIME_ZONE),
            ),
        )
        .filter(date_count__gt=0)
        .order_by("pk")
        .values_list(
            "pk",
            "name",
            "category",
            "organizer__name",
            "organizer__slug",
            "location__name",
            "location__city",
            "location__country",
            "next_start",
            "last_end",
            "date_count",
            "zone",
        )
    )
    # in ListedEvent's field order (a country is its code)
    return [ListedEvent(*row) for row in rows]


def listed_event(*, event_id: int) -> ListedEvent | None:
    """The event of the current schema as the hub lists it; None when it is not listed (gone,
    not published, or no date to come)."""
    found = _listed_events(Event.objects.filter(pk=event_id))
    return found[0] if found else None


def listed_events() -> list[ListedEvent]:
    """Every event of the current schema the hub lists, by id."""
    return _listed_events(Event.objects.all())
