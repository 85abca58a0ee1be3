"""apps.core.timezones and its template filters: a date and time in a given zone, labelled."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import timezone, translation

from apps.core import timezones

# 19:30 in London on 22 December 2026 (GMT, +00:00) is 20:30 in Amsterdam (CET, +01:00).
SHOW = dt.datetime(2026, 12, 22, 19, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("GB", "Europe/London"),
        ("NL", "Europe/Amsterdam"),
        ("fr", "Europe/Paris"),
        ("US", "America/New_York"),
        ("AU", "Australia/Sydney"),
        ("ES", "Europe/Madrid"),
        ("DE", "Europe/Berlin"),
        ("JP", "Asia/Tokyo"),
        ("", "UTC"),
        ("XX", "UTC"),
    ],
)
def test_a_country_has_its_main_zone(country, zone):
    assert timezones.zone_for_country(country) == zone


def test_every_country_maps_to_a_zone_people_can_pick():
    from django_countries import countries

    for code, _name in countries:
        assert timezones.is_time_zone(timezones.zone_for_country(code)), code


def test_a_zone_not_in_the_list_is_refused():
    timezones.validate_time_zone("Europe/London")
    timezones.validate_time_zone("")
    with pytest.raises(ValidationError):
        timezones.validate_time_zone("Europe/Atlantis")
    with pytest.raises(ValidationError):
        timezones.validate_time_zone("Etc/GMT+1")


def test_a_time_is_written_in_the_zone_with_its_name():
    assert timezones.format_in_zone(SHOW, "Europe/London", timezones.TIME) == "19:30 (Europe/London)"
    assert timezones.format_in_zone(SHOW, "Europe/Amsterdam", timezones.TIME) == "20:30 (Europe/Amsterdam)"
    assert (
        timezones.format_in_zone(SHOW, "Europe/London") == "Tuesday 22 December 2026, 19:30 (Europe/London)"
    )
    assert timezones.format_in_zone(SHOW, "America/New_York", timezones.TIME) == "14:30 (America/New York)"


def test_the_zone_does_not_depend_on_the_active_one():
    with timezone.override(timezones.zone("Asia/Tokyo")):
        assert timezones.format_in_zone(SHOW, "Europe/London", timezones.TIME) == "19:30 (Europe/London)"


def test_french_names_the_day_and_month_in_french():
    with translation.override("fr"):
        text = timezones.format_in_zone(SHOW, "Europe/London")
    assert text == "mardi 22 décembre 2026, 19:30 (Europe/London)"


def test_a_day_alone_is_the_day_in_the_zone_without_a_label():
    late = dt.datetime(2026, 12, 22, 23, 30, tzinfo=dt.UTC)  # already 23 December in Amsterdam
    assert timezones.format_in_zone(late, "Europe/London", timezones.DATE, label=False) == "22 December 2026"
    assert (
        timezones.format_in_zone(late, "Europe/Amsterdam", timezones.DATE, label=False) == "23 December 2026"
    )
    assert timezones.localdate_in(late, "Europe/Amsterdam") == dt.date(2026, 12, 23)


def test_naive_input_is_read_in_the_zone():
    read = timezones.make_aware_in(dt.datetime(2026, 7, 1, 19, 30), "Europe/London")  # noqa: DTZ001 (naive on purpose)
    assert read == dt.datetime(2026, 7, 1, 18, 30, tzinfo=dt.UTC)  # British Summer Time, +01:00
    assert timezones.start_of_day_in(dt.date(2026, 12, 22), "Europe/Amsterdam") == dt.datetime(
        2026, 12, 21, 23, 0, tzinfo=dt.UTC
    )


def test_an_unknown_stored_zone_reads_as_utc_rather_than_failing():
    assert timezones.zone("Mars/Olympus") == timezones.zone("UTC")
    assert timezones.format_in_zone(None, "Europe/London") == ""


def test_in_zone_makes_the_zone_active():
    with timezones.in_zone("Europe/London"):
        assert timezone.localtime(SHOW).hour == 19
    with timezones.in_zone("Europe/Amsterdam"):
        assert timezone.localtime(SHOW).hour == 20


def test_the_template_filters():
    template = Template(
        "{% load zoned %}{{ at|zoned_time:london }}|{{ at|zoned_time:amsterdam }}|{{ at|zoned_short:london }}|"
        "{{ at|zoned_medium:london }}|{{ at|zoned_date:london }}|{{ at|zoned_iso:amsterdam }}|"
        '{% zoned_as at london "j M H:i" %}|{{ london|zone_label }}|{{ none|zoned:london }}'
    )
    text = template.render(Context({"at": SHOW, "london": "Europe/London", "amsterdam": "Europe/Amsterdam"}))
    assert text.split("|") == [
        "19:30 (Europe/London)",
        "20:30 (Europe/Amsterdam)",
        "Tue 22 Dec 2026, 19:30 (Europe/London)",
        "22 December 2026, 19:30 (Europe/London)",
        "22 December 2026",
        "2026-12-22T20:30:00+01:00",
        "22 Dec 19:30 (Europe/London)",
        "Europe/London",
        "",
    ]
