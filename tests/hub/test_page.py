"""The events hub page on the platform host: reads the index only, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.hub.models import HubEvent, search_text
from tests.hub.helpers import event_with_dates, organizer_of
from tests.tenants import ALPHA, BETA

PLATFORM = "localhost"


def _entry(name, *, organizer="Fun park", city="Utrecht", days=10, event_id=None, schema="alpha", host=None):
    start = timezone.now() + dt.timedelta(days=days)
    return HubEvent(
        schema_name=schema,
        event_id=event_id if event_id is not None else HubEvent.objects.count() + 1,
        organizer_name=organizer,
        organizer_slug="fun-park",
        name=name,
        category="concert",
        city=city,
        country="NL",
        location_name="Hall",
        next_start=start,
        last_end=start + dt.timedelta(hours=2),
        date_count=1,
        host=host or ALPHA.organizer_host,
        search=search_text(name, organizer, city, "Hall"),
    )


def _entries(*entries):
    for number, entry in enumerate(entries, start=1):
        entry.event_id = number
    HubEvent.objects.bulk_create(entries)


def _names(response):
    return [event.name for event in response.context["page"].object_list]


def test_the_hub_lists_every_clients_events_to_come_soonest_first(client, organizations):
    with schema_context(ALPHA.schema_name):
        event_with_dates(organizer_of(ALPHA), name="Alpha late", days=(20,))
    with schema_context(BETA.schema_name):
        event_with_dates(organizer_of(BETA), name="Beta soon", days=(5,))
        event_with_dates(organizer_of(BETA), name="Beta draft", publish=False)

    response = client.get("/events/", HTTP_HOST=PLATFORM)

    assert response.status_code == 200
    assert _names(response) == ["Beta soon", "Alpha late"]
    html = response.content.decode()
    assert f'href="http://{BETA.organizer_host}/">Beta soon</a>' in html
    assert f'href="http://{ALPHA.organizer_host}/">Alpha late</a>' in html
    assert 'href="/events/">Events</a>' in html  # in the platform's nav


def test_the_hub_is_only_on_the_platform_host(client, organizations):
    for host in (ALPHA.host, ALPHA.organizer_host, BETA.organizer_host):
        assert client.get("/events/", HTTP_HOST=host).status_code == 404


def test_entries_whose_dates_are_over_are_not_shown(client, organizations):
    _entries(_entry("Coming"), _entry("Over", days=-3))
    assert _names(client.get("/events/", HTTP_HOST=PLATFORM)) == ["Coming"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jazz", ["Jazz night", "Late jazz"]),
        ("JAZZ utrecht", ["Jazz night"]),
        ("water park", ["Slides"]),  # the organizer's name
        ("rotter", ["Late jazz"]),  # the city
        ("100%", []),  # LIKE wildcards are searched as text
    ],
)
def test_search_matches_every_word_in_name_organizer_or_city(client, organizations, query, expected):
    _entries(
        _entry("Jazz night", days=1),
        _entry("Late jazz", city="Rotterdam", days=2),
        _entry("Slides", organizer="Water park", days=3),
    )
    response = client.get("/events/", {"q": query}, HTTP_HOST=PLATFORM)
    assert _names(response) == expected


def test_the_city_filter_matches_the_whole_city_in_any_case(client, organizations):
    _entries(
        _entry("Here", city="Utrecht"),
        _entry("Near", city="Utrechtse Heuvelrug"),
        _entry("There", city="Breda"),
    )
    response = client.get("/events/", {"city": "utrecht", "q": "here"}, HTTP_HOST=PLATFORM)
    assert _names(response) == ["Here"]


def test_the_date_filter_keeps_events_running_in_the_period(client, organizations):
    _entries(_entry("Next week", days=7), _entry("Next month", days=30), _entry("Next year", days=365))
    today = timezone.localdate()
    period = {
        "date_from": (today + dt.timedelta(days=20)).isoformat(),
        "date_to": (today + dt.timedelta(days=40)).isoformat(),
    }

    assert _names(client.get("/events/", period, HTTP_HOST=PLATFORM)) == ["Next month"]
    assert _names(client.get("/events/", {"date_from": period["date_from"]}, HTTP_HOST=PLATFORM)) == [
        "Next month",
        "Next year",
    ]


def test_a_period_ending_before_it_starts_is_explained(client, organizations):
    _entries(_entry("Any"))
    response = client.get(
        "/events/",
        {"date_from": timezone.localdate().isoformat(), "date_to": "2020-05-01"},
        HTTP_HOST=PLATFORM,
    )
    assert response.status_code == 400
    assert "cannot be before its start" in response.content.decode()
    assert _names(response) == ["Any"]  # the valid filters still apply


def test_pages_keep_the_filters(client, organizations):
    _entries(
        *[_entry(f"Show {number:02}", days=number + 1) for number in range(30)], _entry("Other", city="Breda")
    )

    first = client.get("/events/", {"city": "Utrecht"}, HTTP_HOST=PLATFORM)
    second = client.get("/events/", {"city": "Utrecht", "page": 2}, HTTP_HOST=PLATFORM)

    assert first.context["page"].paginator.count == 30
    assert _names(first)[0] == "Show 00"
    assert _names(second) == [f"Show {number:02}" for number in range(24, 30)]
    assert 'href="?city=Utrecht&amp;page=2" rel="next"' in first.content.decode()
    assert 'href="?city=Utrecht&amp;page=1" rel="prev"' in second.content.decode()


def test_the_page_takes_the_same_number_of_queries_for_few_or_many_events(
    client, organizations, django_assert_max_num_queries
):
    filters = {"q": "one", "city": "utrecht"}
    _entries(_entry("One"))
    client.get("/events/", filters, HTTP_HOST=PLATFORM)  # the brand's cache is warm from here on
    with CaptureQueriesContext(connection) as few:
        client.get("/events/", filters, HTTP_HOST=PLATFORM)
    HubEvent.objects.all().delete()
    _entries(*[_entry(f"One {number}", days=number + 1) for number in range(60)])

    with django_assert_max_num_queries(len(few)) as many:
        response = client.get("/events/", {**filters, "page": 2}, HTTP_HOST=PLATFORM)

    assert len(_names(response)) == 24
    hub_queries = [query["sql"] for query in many.captured_queries if "hub_hubevent" in query["sql"]]
    assert len(hub_queries) == 2  # the count and the page
    assert not any("events_" in query["sql"] for query in many.captured_queries)  # no tenant table read
