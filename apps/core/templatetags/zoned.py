"""The template side of apps.core.timezones: every date and time of an event a page or an
e-mail shows goes through these filters, with the event's zone (`event.time_zone`,
`event_date.time_zone`) as argument.

    {{ event_date.start|zoned:event_date.time_zone }}        Tuesday 22 December 2026, 19:30 (Europe/London)
    {{ event_date.start|zoned_medium:event_date.time_zone }} 22 December 2026, 19:30 (Europe/London)
    {{ event_date.start|zoned_short:event_date.time_zone }}  Tue 22 Dec 2026, 19:30 (Europe/London)
    {{ event_date.start|zoned_time:event_date.time_zone }}   19:30 (Europe/London)
    {{ event_date.start|zoned_date:event_date.time_zone }}   22 December 2026 (a day: no label)
    {{ event_date.start|zoned_iso:event_date.time_zone }}    2026-12-22T19:30:00+00:00 (<time datetime>)
    {% zoned_as event_date.start event_date.time_zone "D j M, H:i" %}   any format, labelled
    {{ event.time_zone|zone_label }}                           Europe/London
"""

from datetime import datetime

from django import template

from apps.core import timezones

register = template.Library()


@register.filter
def zoned(value: datetime | None, zone: str) -> str:
    return timezones.format_in_zone(value, zone, timezones.LONG)


@register.filter
def zoned_medium(value: datetime | None, zone: str) -> str:
    return timezones.format_in_zone(value, zone, timezones.MEDIUM)


@register.filter
def zoned_short(value: datetime | None, zone: str) -> str:
    return timezones.format_in_zone(value, zone, timezones.SHORT)


@register.filter
def zoned_time(value: datetime | None, zone: str) -> str:
    return timezones.format_in_zone(value, zone, timezones.TIME)


@register.filter
def zoned_date(value: datetime | None, zone: str) -> str:
    return timezones.format_in_zone(value, zone, timezones.DATE, label=False)


@register.filter
def zoned_iso(value: datetime | None, zone: str) -> str:
    return timezones.localtime_in(value, zone).isoformat() if isinstance(value, datetime) else ""


@register.simple_tag
def zoned_as(value: datetime | None, zone: str, fmt: str = timezones.LONG, label: bool = True) -> str:
    return timezones.format_in_zone(value, zone, fmt, label=label)


@register.filter
def zone_label(zone: str) -> str:
    return timezones.zone_label(zone)
