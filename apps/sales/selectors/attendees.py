"""Who is coming: the attendees of an event date or of a whole event.

An attendee is a valid ticket of a paid order (refunded or cancelled tickets, unpaid and
expired orders admit nobody). A date's attendees are its own tickets and the event's passes
(valid on every date); checked in means admitted at the gate for that date — for a whole
event, admitted on at least one date. Who sees which tickets is tickets_visible_to's
(the orders one may see, through the permission module), and which events and dates is
apps.events.selectors'.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from apps.events.models import Event, EventDate
from apps.events.selectors import event_dates_visible_to, events_visible_to
from apps.operators.permissions import Someone
from apps.sales.models import CheckIn, Order, Ticket
from apps.sales.selectors import tickets_visible_to

SEARCH_MAX_LENGTH = 200


def event_date_of_attendees(user: Someone, pk: int) -> EventDate | None:
    """The date `pk` with its event, location and organizer, if `user` may see it."""
    return (
        event_dates_visible_to(user)
        .select_related("event__location", "event__organizer")
        .filter(pk=pk)
        .first()
    )


def event_of_attendees(user: Someone, pk: int) -> Event | None:
    """The event `pk` with its location and organizer, if `user` may see it."""
    return events_visible_to(user).select_related("location", "organizer").filter(pk=pk).first()


def _admitting(user: Someone) -> QuerySet[Ticket]:
    return tickets_visible_to(user).filter(status=Ticket.Status.VALID, order__status=Order.Status.PAID)


def _listed(tickets: QuerySet[Ticket], search: str) -> QuerySet[Ticket]:
    tickets = tickets.annotate(
        name=Coalesce(
            NullIf("attendee_name", Value("")),
            NullIf("order__buyer_name", Value("")),
            NullIf("order__customer__full_name", Value("")),
            Value(""),
        )
    ).select_related("ticket_type", "event_date", "order")
    search = search.strip()[:SEARCH_MAX_LENGTH]
    if "\x00" in search:  # PostgreSQL refuses NUL in text: no one has it
        return tickets.none()
    if search:
        tickets = tickets.filter(
            Q(attendee_name__icontains=search)
            | Q(order__buyer_name__icontains=search)
            | Q(order__email__icontains=search)
            | Q(order__code__iexact=search)
            | Q(code=search)
        )
    return tickets.order_by(Lower("name"), "order__code", "pk")


def attendees_of_date(user: Someone, event_date: EventDate, *, search: str = "") -> QuerySet[Ticket]:
    """Those admitted on `event_date` that `user` may see — its tickets and its event's
    passes — by name, each with `name` (the attendee's, else the buyer's, else the buyer's account's) and `checked_in`
    (admitted at the gate for this date)."""
    tickets = _admitting(user).filter(
        Q(event_date=event_date) | Q(event_date__isnull=True, ticket_type__event_id=event_date.event_id)
    )
    checked_in = CheckIn.objects.filter(ticket=OuterRef("pk"), event_date=event_date)
    return _listed(tickets.annotate(checked_in=Exists(checked_in)), search)


def attendees_of_event(user: Someone, event: Event, *, search: str = "") -> QuerySet[Ticket]:
    """Those admitted to any date of `event` that `user` may see, by name, each with `name`
    and `checked_in` (admitted on at least one date)."""
    tickets = _admitting(user).filter(ticket_type__event=event)
    checked_in = CheckIn.objects.filter(ticket=OuterRef("pk"))
    return _listed(tickets.annotate(checked_in=Exists(checked_in)), search)
