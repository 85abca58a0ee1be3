"""The shop's calendar of an event with many dates (a theme park open every day, with
timeslots): a month of days with their availability, a day's timeslots, one timeslot's offer.

Days are the event's local days (its time zone). The months with dates are one query (a row a
month), the shown month's availability is aggregated in the database per local day (one
query, a row a day, whatever the number of dates); only a chosen day's timeslots are read
row by row.
"""

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, cast

from babel.core import Locale, UnknownLocaleError
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext, pgettext

from apps.core.timezones import start_of_day_in, zone
from apps.events.models import Event, EventDate
from apps.sales.models import DateStock
from apps.sales.selectors import FEW_LEFT

# More dates to come than this: the event page shows a calendar rather than every date's form.
CALENDAR_ABOVE = 7
# "Few left" on a day or a timeslot: at most FEW_LEFT tickets, or at most this share of its capacity.
FEW_LEFT_PERCENT = 10


class State(StrEnum):
    AVAILABLE = "available"
    FEW_LEFT = "few-left"
    SOLD_OUT = "sold-out"


def state_of(remaining: int | None, capacity: int | None) -> State:
    """Available / few left / sold out for what remains of a capacity (None: no limit)."""
    if remaining is None:
        return State.AVAILABLE
    if remaining <= 0:
        return State.SOLD_OUT
    if remaining <= FEW_LEFT or (capacity and remaining * 100 <= capacity * FEW_LEFT_PERCENT):
        return State.FEW_LEFT
    return State.AVAILABLE


@dataclass(frozen=True)
class Day:
    """One local day with dates to come: how many, and what remains over them (None: one of
    them has no limit)."""

    day: date
    dates: int
    remaining: int | None
    capacity: int | None

    @property
    def state(self) -> State:
        return state_of(self.remaining, self.capacity)

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    @property
    def label(self) -> str:
        """The state as a word ("Available"), as the calendar writes it."""
        state = self.state
        if state is State.SOLD_OUT:
            return gettext("Sold out")
        if state is State.FEW_LEFT:
            return pgettext("a day or time with tickets left", "Few left")
        return pgettext("a day or time with tickets left", "Available")

    @property
    def mark(self) -> str:
        """The state as a mark, for a phone's narrow columns (explained by the calendar's legend)."""
        return MARKS[self.state]


MARKS = {State.AVAILABLE: "✓", State.FEW_LEFT: "!", State.SOLD_OUT: "✕"}


@dataclass(frozen=True)
class Slot:
    """A date of a day, with what remains of it (None: no limit)."""

    event_date: EventDate
    remaining: int | None
    capacity: int | None

    @property
    def state(self) -> State:
        return state_of(self.remaining, self.capacity)


@dataclass(frozen=True)
class Month:
    """A month's grid (weeks of seven cells, None outside the month), its weekday headers
    (short, full) in the organizer's first weekday's order, and the months with dates
    before and after it (None: none)."""

    first: date
    weeks: list[list[tuple[date, Day | None] | None]]
    weekdays: list[tuple[str, str]]
    previous: date | None
    next: date | None


def dates_to_come(event: Event) -> QuerySet[EventDate]:
    return EventDate.objects.filter(event=event, end__gt=timezone.now())


def shows_calendar(event: Event) -> bool:
    """Whether the event page shows this event as a calendar (one count)."""
    return dates_to_come(event).count() > CALENDAR_ABOVE


def _with_left(dates: QuerySet[EventDate], event: Event) -> QuerySet[EventDate]:
    """Dates annotated with their effective capacity (`cap`, NULL: no limit) and what remains (`left`)."""
    location_capacity = event.location.capacity
    cap = Coalesce("capacity", Value(location_capacity)) if location_capacity is not None else F("capacity")
    taken = Coalesce(F("stock__held") + F("stock__sold"), Value(0))
    return dates.annotate(cap=cap).annotate(left=Greatest(F("cap") - taken, Value(0)))


def months_of(event: Event) -> list[date]:
    """The first days of the local months with dates to come, in order (one query, a row a month)."""
    rows = (
        dates_to_come(event)
        .annotate(month=TruncMonth("start", tzinfo=zone(event.time_zone)))
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )
    return [month.date() if isinstance(month, datetime) else month for month in rows]


def days_of(event: Event, month: date) -> dict[date, Day]:
    """The local days of `month` (its first day) with dates to come, with their summed
    availability: one aggregate query, a row a day."""
    name = event.time_zone
    since = start_of_day_in(month, name)
    until = start_of_day_in((month + timedelta(days=32)).replace(day=1), name)
    rows = (
        _with_left(dates_to_come(event).filter(start__gte=since, start__lt=until), event)
        .annotate(day=TruncDate("start", tzinfo=zone(name)))
        .values("day")
        .annotate(
            dates=Count("pk"),
            unlimited=Count("pk", filter=Q(cap__isnull=True)),
            capacity=Sum("cap"),
            remaining=Sum("left"),
        )
        .order_by("day")
    )
    return {
        row["day"]: Day(
            day=row["day"],
            dates=row["dates"],
            remaining=None if row["unlimited"] else row["remaining"],
            capacity=None if row["unlimited"] else row["capacity"],
        )
        for row in rows
    }


@cache
def first_weekday(country: str) -> int:
    """The first day of the week where the organizer is (0: Monday … 6: Sunday), from CLDR."""
    try:
        return int(Locale.parse(f"und_{country}").first_week_day)
    except (UnknownLocaleError, ValueError, TypeError):
        return 0


def month_of(days: dict[date, Day], month: date, week_start: int, months: list[date]) -> Month:
    """The grid of `month` (any day of it) over `days` (days_of), between `months` (months_of)."""
    first = month.replace(day=1)
    weeks = [
        [(cell, days.get(cell)) if cell.month == first.month else None for cell in week]
        for week in calendar.Calendar(week_start).monthdatescalendar(first.year, first.month)
    ]
    earlier = [m for m in months if m < first]
    later = [m for m in months if m > first]
    order = [(week_start + i) % 7 for i in range(7)]
    return Month(
        first=first,
        weeks=weeks,
        weekdays=[(WEEKDAYS_ABBR[i], WEEKDAYS[i]) for i in order],
        previous=earlier[-1] if earlier else None,
        next=later[0] if later else None,
    )


def slots_of(event: Event, day: date) -> list[Slot]:
    """The dates to come starting on local `day`, soonest first, with what remains of each."""
    name = event.time_zone
    since: datetime = start_of_day_in(day, name)
    until: datetime = start_of_day_in(day + timedelta(days=1), name)
    dates = _with_left(dates_to_come(event).filter(start__gte=since, start__lt=until), event)
    slots = []
    for event_date in dates.select_related("event__location", "event__organizer").order_by("start", "pk"):
        annotated = cast(Any, event_date)  # with _with_left's cap and left
        slots.append(
            Slot(
                event_date=event_date,
                remaining=annotated.left if annotated.cap is not None else None,
                capacity=annotated.cap,
            )
        )
    return slots


def slot_of(event: Event, pk: int) -> EventDate | None:
    """Date `pk` of this event if it is to come, else None (another event's is None too)."""
    return dates_to_come(event).filter(pk=pk).first()


def dates_sold(date_ids: Collection[int]) -> dict[int, int]:
    """{date id: tickets sold on it} for these dates (those with no sale left out): what the
    control panel's event page shows beside each timeslot's capacity (hooks.event_dates_sold)."""
    return dict(
        DateStock.objects.filter(event_date_id__in=list(date_ids), sold__gt=0).values_list(
            "event_date_id", "sold"
        )
    )
