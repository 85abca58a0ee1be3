"""Admitting tickets at the gate."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.events.models import EventDate
from apps.sales.exceptions import CheckInRefused
from apps.sales.models import CheckIn, Order, Ticket


@dataclass(frozen=True)
class Admission:
    ticket: Ticket
    event_date: EventDate


def ticket_check_in(
    *, code: str, tickets: QuerySet[Ticket], event_date_id: int | None = None, operator: User | None = None
) -> Admission:
    """Admit the ticket with `code` (among `tickets`, those the operator may check) once for
    its date, or raise CheckInRefused saying why: unknown, not paid, cancelled or refunded,
    already admitted (and when), or a pass scanned without a date of its event."""
    ticket = (
        tickets.select_related("order", "ticket_type__event", "event_date").filter(code=code.strip()).first()
    )
    if ticket is None:
        raise CheckInRefused("unknown", _("Unknown ticket: this code is not a ticket of your events."))
    if ticket.status != Ticket.Status.VALID:
        raise CheckInRefused(
            ticket.status,
            _("Not valid: this ticket was %(status)s.") % {"status": ticket.get_status_display().lower()},
        )
    if ticket.order.status != Order.Status.PAID:
        raise CheckInRefused("unpaid", _("Not valid: its order is not paid."))
    event_date = ticket.event_date
    if event_date is None:  # a pass: the gate says which date, or the event has only one
        dates = EventDate.objects.filter(event_id=ticket.ticket_type.event_id)
        event_date = dates.filter(pk=event_date_id).first() if event_date_id else None
        if event_date is None and not event_date_id and dates.count() == 1:
            event_date = dates.first()
        if event_date is None:
            raise CheckInRefused(
                "date", _("This pass is valid on several dates: choose the date at this gate.")
            )
    elif event_date_id and event_date_id != event_date.pk:
        raise CheckInRefused(
            "wrong_date", _("Not for this date: the ticket is for %(date)s.") % {"date": event_date}
        )
    try:
        with transaction.atomic():
            CheckIn.objects.create(ticket=ticket, event_date=event_date, checked_in_by=operator)
    except IntegrityError:
        first = CheckIn.objects.get(ticket=ticket, event_date=event_date)
        raise CheckInRefused(
            "already",
            _("Already admitted at %(time)s.")
            % {"time": timezone.localtime(first.checked_in_at).strftime("%H:%M:%S")},
        ) from None
    return Admission(ticket=ticket, event_date=event_date)
