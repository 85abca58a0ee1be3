"""Time zones: the one place a date and time is put in a zone and labelled.

Every organizer has an IANA time zone (its country's main zone unless it picks another),
a location may override it, and an event's dates are shown — on pages, PDFs, e-mails, box
office, check-in, exports — in that zone, with the zone's name after the time:
"22 December 2026, 19:30 (Europe/London)". The name is the IANA one, which a buyer reads as
a city and which is the same in every language and in the API's documentation.

Templates use the filters of apps.core.templatetags.zoned; Python code (PDFs, e-mails,
exports, messages) calls `format_in_zone` / `zone_label`; views that render many values of
one zone wrap the rendering in `in_zone(name)`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.core import get_global
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# Used when nothing else names a zone (an organizer with no country).
FALLBACK_TIME_ZONE = "UTC"

# The main zone of countries with several: the capital's (or its largest city's when the
# capital shares it). Countries with one zone take it from CLDR's territory data.
_MAIN_ZONES = {
    "AQ": "UTC",
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",
    "GL": "America/Nuuk",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",
    "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby",
    "PS": "Asia/Hebron",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UM": "Pacific/Wake",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
}


@cache
def time_zone_names() -> tuple[str, ...]:
    """IANA zones people pick from (Region/City), and UTC."""
    names = (
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return (*sorted(names), "UTC")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


def is_time_zone(name: str) -> bool:
    return name in _known_names()


@cache
def _known_names() -> frozenset[str]:
    return frozenset(time_zone_names())


def validate_time_zone(value: str) -> None:
    """Validator: an IANA zone of `time_zone_names()` (empty passes: `blank` decides)."""
    if value and not is_time_zone(value):
        raise ValidationError(
            _("“%(value)s” is not a time zone. Pick one from the list, e.g. Europe/London."),
            code="invalid_time_zone",
            params={"value": value},
        )


def zone_for_country(country: str) -> str:
    """The main IANA zone of an ISO 3166 country ("GB" → "Europe/London"); UTC if unknown."""
    code = (country or "").upper()
    if code in _MAIN_ZONES:
        return _MAIN_ZONES[code]
    zones: list[str] = get_global("territory_zones").get(code, [])
    known = [name for name in zones if is_time_zone(name)]
    return known[0] if known else FALLBACK_TIME_ZONE


@cache
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo of `name`; UTC for an empty or unknown name (a stored value that went bad
    must not break a page)."""
    try:
        return ZoneInfo(name or FALLBACK_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_TIME_ZONE)


@contextmanager
def in_zone(name: str) -> Iterator[ZoneInfo]:
    """Within: Django's active time zone is `name` — template `date`/`time` filters, form
    widgets and the reading of naive input all use it."""
    tz = zone(name)
    with timezone.override(tz):
        yield tz


def zone_label(name: str) -> str:
    """The zone as shown after a time: its IANA name with spaces ("America/New York")."""
    return (name or FALLBACK_TIME_ZONE).replace("_", " ")


def localtime_in(value: datetime, name: str) -> datetime:
    return value.astimezone(zone(name)) if timezone.is_aware(value) else value


def localdate_in(value: datetime, name: str) -> date:
    return localtime_in(value, name).date()


def make_aware_in(value: datetime, name: str) -> datetime:
    """A naive wall-clock time read in zone `name` (an aware one is kept as it is)."""
    return value if timezone.is_aware(value) else value.replace(tzinfo=zone(name))


def start_of_day_in(day: date, name: str) -> datetime:
    return datetime.combine(day, time.min, zone(name))


# The formats pages use (Django date format strings, translated by the active language).
LONG = "l j F Y, H:i"  # Tuesday 22 December 2026, 19:30
MEDIUM = "j F Y, H:i"  # 22 December 2026, 19:30
SHORT = "D j M Y, H:i"  # Tue 22 Dec 2026, 19:30
TIME = "H:i"  # 19:30
DATE = "j F Y"  # 22 December 2026


def format_in_zone(value: date | None, name: str, fmt: str = LONG, *, label: bool = True) -> str:
    """`value` in zone `name` in Django date format `fmt` (month and day names in the active
    language), then — with `label` — the zone in brackets: "Tuesday 22 December 2026, 19:30
    (Europe/London)", "19:30 (Europe/London)". A day alone needs no label (label=False)."""
    if not isinstance(value, date):
        return ""  # None, or a template's missing variable
    if not isinstance(value, datetime):
        return formats.date_format(value, fmt)  # a day: no zone to put it in
    text = formats.date_format(localtime_in(value, name), fmt)
    return f"{text} ({zone_label(name)})" if label else text
