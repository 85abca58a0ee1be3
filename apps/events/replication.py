"""Turning a replication plan (recurrence or list of dates) into start/end pairs.

Pure functions: the preview and the real run share them, so what is shown is what is made.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, TypeAlias, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _

from apps.core.datetimes import date_in_range, datetime_in_range
from apps.events.exceptions import EventError

# What a replication is asked to do, as the API received it (RecurrencePlanSerializer.to_plan).
Plan: TypeAlias = dict[str, Any]

MAX_DATES_PER_REPLICATION = 5000
# rrule's frequency constants (MONTHLY, WEEKLY, DAILY).
Frequency: TypeAlias = Literal[1, 2, 3]
FREQUENCIES: dict[str, Frequency] = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY}

_T = TypeVar("_T")


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def plan_slots(plan: Plan) -> list[Slot]:
    """The dates a plan creates, in order; EventError says what is wrong with a bad plan."""
    kind = plan.get("kind")
    if kind == "recurrence":
        slots = _recurrence_slots(plan)
    elif kind == "copy":
        slots = _listed_slots(plan.get("dates") or [])
    else:
        raise EventError(_("Choose a recurrence or a copy to a list of dates."))
    if not slots:
        raise EventError(_("This plan creates no dates."))
    for slot in (slots[0], slots[-1], max(slots, key=lambda slot: slot.end)):
        _in_range(slot.start, datetime_in_range)
        _in_range(slot.end, datetime_in_range)
    if len(slots) > MAX_DATES_PER_REPLICATION:
        raise EventError(
            _("This plan creates %(count)d dates; at most %(max)d at once.")
            % {"count": len(slots), "max": MAX_DATES_PER_REPLICATION}
        )
    return slots


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise EventError(_("Unknown time zone “%(zone)s”.") % {"zone": name}) from None


def _recurrence_slots(plan: Plan) -> list[Slot]:
    name = plan.get("frequency")
    frequency = FREQUENCIES.get(name) if isinstance(name, str) else None
    if frequency is None:
        raise EventError(_("Repeat daily, weekly or monthly."))
    starts_on = _as_date(plan.get("starts_on"), "starts_on")
    until = _as_date(plan["until"], "until") if plan.get("until") else None
    count = plan.get("count")
    if (until is None) == (count is None):
        raise EventError(_("Give either an end date or a number of dates."))
    if count is not None and (not isinstance(count, int) or count < 1):
        raise EventError(_("The number of dates must be a positive whole number."))
    if until is not None and until < starts_on:
        raise EventError(_("The end date is before the first date."))
    times = [_as_time(value) for value in plan.get("times") or []]
    if not times:
        raise EventError(_("Give at least one time of day."))
    duration = timedelta(minutes=int(plan.get("duration_minutes") or 0))
    if duration <= timedelta(0):
        raise EventError(_("The duration must be positive."))
    weekdays = plan.get("weekdays") or None
    if frequency == rrule.WEEKLY and not weekdays:
        raise EventError(_("Choose the weekdays to repeat on."))
    if weekdays and any(day not in range(7) for day in weekdays):
        raise EventError(_("Weekdays go from 0 (Monday) to 6 (Sunday)."))
    zone = _zone(plan.get("timezone", "UTC"))

    days = rrule.rrule(
        frequency,
        dtstart=datetime.combine(starts_on, time()),
        interval=int(plan.get("interval") or 1),
        byweekday=weekdays,
        until=datetime.combine(until, time()) if until else None,
        # a count of dates, not of days: enough days to fill it, cut below
        count=None if count is None else -(-count // len(times)),
        cache=False,
    )
    slots = []
    for day in days:
        for start_time in sorted(times):
            start = datetime.combine(day.date(), start_time, tzinfo=zone)
            # the duration is elapsed time: across a DST change the clock end moves, not the length
            slots.append(Slot(start=start, end=(start.astimezone(UTC) + duration).astimezone(zone)))
            if len(slots) > MAX_DATES_PER_REPLICATION:
                return slots  # plan_slots reports it; no need to walk further
    return slots[:count] if count is not None else slots


def _listed_slots(dates: list[Any]) -> list[Slot]:
    slots = []
    for index, item in enumerate(dates, start=1):
        start = _parsed(parse_datetime, item.get("start")) if isinstance(item, dict) else None
        end = _parsed(parse_datetime, item.get("end")) if isinstance(item, dict) else None
        if start is None or end is None or start.tzinfo is None or end.tzinfo is None:
            raise EventError(_("Date %(n)d needs a start and an end with a time zone.") % {"n": index})
        if end <= start:
            raise EventError(_("Date %(n)d ends before it starts.") % {"n": index})
        slots.append(Slot(start=start, end=end))
    return sorted(slots, key=lambda slot: slot.start)


def _parsed(parse: Callable[[str], _T | None], value: object) -> _T | None:
    """Django's parse_* answer None for a bad format but raise ValueError for a bad value
    (25:00, 2027-02-30): both are simply not a date or time here."""
    try:
        return parse(str(value or ""))
    except ValueError:
        return None


def _as_date(value: object, field: str) -> date:
    parsed = _parsed(parse_date, value)
    if parsed is None:
        raise EventError(_("“%(field)s” must be a date like 2027-05-31.") % {"field": field})
    _in_range(parsed, date_in_range)
    return parsed


def _in_range(value: _T, validator: Callable[[_T], None]) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise EventError(exc.messages[0]) from None


def _as_time(value: object) -> time:
    parsed = _parsed(parse_time, value)
    if parsed is None:
        raise EventError(_("“%(value)s” is not a time of day like 14:30.") % {"value": value})
    return parsed
