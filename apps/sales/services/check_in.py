"""Admitting tickets at the gate.

A ticket is admitted on its own day, in its event's time zone: a ticket for 22 December is
refused on 2 December (reason "other_day", the message names its day) unless the gate
admits it anyway (`admit_other_day`), which the audit log records. A pass is admitted on a
day its event has a date. A season pass in entry mode (apps.sales.models.passes) is
admitted once per date of the events it covers within its validity, each admission
counting a use; the gate shows its holder.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import Actor, audit_log
from apps.core.timezones import DATE, LONG, format_in_zone, localdate_in
from apps.events.models import EventDate
from apps.sales.exceptions import CheckInRefused, PassRejected
from apps.sales.models import CheckIn, Order, Pass, PassType, Ticket
from apps.sales.services.passes import pass_check_covers, pass_use


@dataclass(frozen=True)
class Admission:
    ticket: Ticket
    event_date: EventDate
    other_day: bool = False  # admitted anyway on a day that is not its date's
    season_pass: Pass | None = None  # a season pass: its holder is shown


def _days_of(event_date: EventDate, zone: str) -> tuple[date, date]:
    """The days a date covers in `zone`: a show from 22:00 to 02:00 covers two."""
    last = max(event_date.start, event_date.end - timedelta(microseconds=1))
    return localdate_in(event_date.start, zone), localdate_in(last, zone)


def _is_on(event_date: EventDate, day: date, zone: str) -> bool:
    first, last = _days_of(event_date, zone)
    return first <= day <= last


def _pass_date(ticket: Ticket, event_date_id: int | None, today: date, zone: str) -> EventDate:
    """The date a pass is scanned for: the one chosen at the gate, else its event's date of
    today, else its event's only date (whose day is then checked like a day ticket's)."""
    dates = list(EventDate.objects.filter(event_id=ticket.ticket_type.event_id).order_by("start"))
    if event_date_id:
        chosen = next((d for d in dates if d.pk == event_date_id), None)
        if chosen is None:
            raise CheckInRefused("wrong_date", _("Not for this date: this pass is for another event."))
        return chosen
    of_today = [d for d in dates if _is_on(d, today, zone)]
    if len(of_today) == 1:
        return of_today[0]
    if not of_today and len(dates) == 1:
        return dates[0]
    if of_today:
        raise CheckInRefused(
            "date", _("This pass is valid on several dates today: choose the date at this gate.")
        )
    raise CheckInRefused(  # not "other_day": admitting anyway needs a date chosen first
        "no_date_today",
        _(
            "Not today: this pass is for the dates of %(event)s, none of them today. "
            "Choose the date at this gate to admit it anyway."
        )
        % {"event": ticket.ticket_type.event.name},
    )


def ticket_check_in(
    *,
    code: str,
    tickets: QuerySet[Ticket],
    event_date_id: int | None = None,
    operator: User | None = None,
    admit_other_day: bool = False,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Admission:
    """Admit the ticket with `code` (among `tickets`, those the operator may check) once for
    its date, or raise CheckInRefused saying why: unknown, not paid, cancelled or refunded,
    already admitted (and when), a pass scanned without a date of its event, or — unless
    `admit_other_day` — a date that is not today in its event's time zone."""
    ticket = (
        tickets.select_related(
            "order", "ticket_type__event__location", "ticket_type__event__organizer", "event_date"
        )
        .filter(code=code.strip())
        .first()
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
    season_pass = Pass.objects.filter(ticket=ticket).select_related("pass_type").first()
    if season_pass is not None:
        return _season_pass_admit(
            season_pass,
            event_date_id,
            operator=operator,
            admit_other_day=admit_other_day,
            actor=actor,
            now=now,
        )
    zone = ticket.ticket_type.event.time_zone
    today = localdate_in(now or timezone.now(), zone)
    event_date = ticket.event_date
    if event_date is None:
        event_date = _pass_date(ticket, event_date_id, today, zone)
    elif event_date_id and event_date_id != event_date.pk:
        raise CheckInRefused(
            "wrong_date",
            _("Not for this date: the ticket is for %(date)s.")
            % {"date": format_in_zone(event_date.start, zone, LONG)},
        )
    other_day = not _is_on(event_date, today, zone)
    if other_day and not admit_other_day:
        raise CheckInRefused(
            "other_day",
            _("Not today: this ticket is for %(date)s.")
            % {"date": format_in_zone(event_date.start, zone, DATE, label=False)},
        )
    _admit_once(ticket, event_date, operator=operator)
    if other_day:
        audit_log(
            actor=actor or Actor(user=operator),
            action="ticket.checked_in_other_day",
            target=ticket,
            event_date=event_date.pk,
            date=localdate_in(event_date.start, zone).isoformat(),
            today=today.isoformat(),
            time_zone=zone,
        )
    return Admission(ticket=ticket, event_date=event_date, other_day=other_day)


def _admit_once(
    ticket: Ticket, event_date: EventDate, *, operator: User | None, season_pass: Pass | None = None
) -> None:
    """The check-in row (once per ticket and date) and, for a season pass, its use."""
    zone = event_date.time_zone
    try:
        with transaction.atomic():
            CheckIn.objects.create(ticket=ticket, event_date=event_date, checked_in_by=operator)
            if season_pass is not None:
                pass_use(season_pass=season_pass)
    except PassRejected as refused:
        raise CheckInRefused("no_uses_left", str(refused)) from None
    except IntegrityError:
        first = CheckIn.objects.get(ticket=ticket, event_date=event_date)
        raise CheckInRefused(
            "already",
            _("Already admitted at %(time)s.") % {"time": format_in_zone(first.checked_in_at, zone, "H:i:s")},
        ) from None


def _covered_date(season_pass: Pass, event_date_id: int | None, today: date) -> EventDate:
    """The date a season pass is scanned for: the one chosen at the gate, else the only date
    of today among the events it covers."""
    covered = EventDate.objects.filter(event__pass_types=season_pass.pass_type).select_related(
        "event__location", "event__organizer"
    )
    if event_date_id:
        chosen = covered.filter(pk=event_date_id).first()
        if chosen is None:
            raise CheckInRefused("wrong_date", _("Not for this date: the pass does not cover this event."))
        return chosen
    near = covered.filter(
        start__lt=timezone.now() + timedelta(days=2), end__gt=timezone.now() - timedelta(days=2)
    )
    of_today = [d for d in near if _is_on(d, today, d.time_zone)]
    if len(of_today) == 1:
        return of_today[0]
    if of_today:
        raise CheckInRefused(
            "date", _("This pass is valid on several dates today: choose the date at this gate.")
        )
    raise CheckInRefused("no_date_today", _("Not today: none of the dates this pass covers is today."))


def _season_pass_admit(
    season_pass: Pass,
    event_date_id: int | None,
    *,
    operator: User | None,
    admit_other_day: bool,
    actor: Actor | None,
    now: datetime | None,
) -> Admission:
    if season_pass.pass_type.mode != PassType.Mode.ENTRY:
        raise CheckInRefused(
            "booking_pass",
            _("This pass books tickets for chosen dates: scan the ticket booked for today."),
        )
    now = now or timezone.now()
    zone = season_pass.ticket.ticket_type.event.time_zone
    event_date = _covered_date(season_pass, event_date_id, localdate_in(now, zone))
    zone = event_date.time_zone
    today = localdate_in(now, zone)
    try:
        pass_check_covers(season_pass, event_date)
    except PassRejected as refused:
        raise CheckInRefused("not_covered", str(refused)) from None
    other_day = not _is_on(event_date, today, zone)
    if other_day and not admit_other_day:
        raise CheckInRefused(
            "other_day",
            _("Not today: this date is %(date)s.")
            % {"date": format_in_zone(event_date.start, zone, DATE, label=False)},
        )
    _admit_once(season_pass.ticket, event_date, operator=operator, season_pass=season_pass)
    audit_log(
        actor=actor or Actor(user=operator),
        action="pass.checked_in",
        target=season_pass,
        event_date=event_date.pk,
        other_day=other_day,
    )
    return Admission(
        ticket=season_pass.ticket, event_date=event_date, other_day=other_day, season_pass=season_pass
    )
