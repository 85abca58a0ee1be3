"""Reads of the waiting lists: an event date's line for the control panel, its figures."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from apps.events.models import EventDate
from apps.events.selectors import event_dates_visible_to
from apps.operators.permissions import Action, Someone, can, organizers_configurable_by
from apps.sales.models import WaitingListEntry

Status = WaitingListEntry.Status


def event_date_of_waiting_list(user: Someone, pk: int) -> EventDate | None:
    """The date `pk` with its event, location and organizer, if `user` may manage its list."""
    event_date = (
        event_dates_visible_to(user)
        .select_related("event__location", "event__organizer")
        .filter(pk=pk)
        .first()
    )
    if event_date is None or not can(user, Action.MANAGE_WAITING_LIST, event_date):
        return None
    return event_date


def waiting_list_of(event_date: EventDate) -> QuerySet[WaitingListEntry]:
    """Every entry of the date, in the order they joined, with ticket type and offer's order."""
    return (
        WaitingListEntry.objects.filter(event_date=event_date)
        .select_related("ticket_type", "order")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class WaitingListFigures:
    waiting: int  # entries in line
    tickets_waited: int  # tickets they ask for
    offered: int  # entries ever sent an offer
    converted: int  # of those, bought
    open_offers: int

    @property
    def conversion_percent(self) -> int | None:
        return round(100 * self.converted / self.offered) if self.offered else None


def waiting_list_figures(event_date: EventDate) -> WaitingListFigures:
    """The date's line in figures (one query)."""
    counts = WaitingListEntry.objects.filter(event_date=event_date).aggregate(
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
        tickets_waited=Coalesce(Sum("quantity", filter=Q(status=Status.WAITING)), 0),
        offered=Count("pk", filter=Q(offered_at__isnull=False)),
        converted=Count("pk", filter=Q(status=Status.CONVERTED)),
        open_offers=Count("pk", filter=Q(status=Status.OFFERED)),
    )
    return WaitingListFigures(**counts)


def waiting_list_entries_visible_to(user: Someone) -> QuerySet[WaitingListEntry]:
    """The entries of the organizers whose waiting lists `user` manages (the API's list)."""
    return WaitingListEntry.objects.filter(ticket_type__event__organizer__in=organizers_configurable_by(user))
