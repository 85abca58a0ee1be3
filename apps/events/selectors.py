"""Reads of events, with who may see what decided by apps.operators.permissions."""

from django.db.models import Q, QuerySet

from apps.events.models import Event, EventDate, Location, TicketType
from apps.operators.permissions import distributions_sellable_by, is_operator, organizers_configurable_by


def events_visible_to(user) -> QuerySet[Event]:
    """Events of organizers one configures, or offered in a distribution one sells in."""
    if not is_operator(user):
        return Event.objects.none()
    if user.is_admin:
        return Event.objects.all()
    return Event.objects.filter(
        Q(organizer__in=organizers_configurable_by(user))
        | Q(distributions__in=distributions_sellable_by(user))
    ).distinct()


def locations_visible_to(user) -> QuerySet[Location]:
    if not is_operator(user):
        return Location.objects.none()
    if user.is_admin:
        return Location.objects.all()
    return Location.objects.filter(
        Q(organizer__in=organizers_configurable_by(user)) | Q(events__in=events_visible_to(user))
    ).distinct()


def event_dates_visible_to(user) -> QuerySet[EventDate]:
    return EventDate.objects.filter(event__in=events_visible_to(user))


def ticket_types_visible_to(user) -> QuerySet[TicketType]:
    return TicketType.objects.filter(event__in=events_visible_to(user))


def published_events_of(organizer) -> QuerySet[Event]:
    """What an organizer's storefront lists: published events with dates to come, soonest first."""
    from django.db.models import Min
    from django.utils import timezone

    return (
        Event.objects.filter(
            organizer=organizer, status=Event.Status.PUBLISHED, dates__end__gte=timezone.now()
        )
        .annotate(next_start=Min("dates__start"))
        .select_related("location")
        .order_by("next_start", "name")
    )
