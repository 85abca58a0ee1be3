"""The hub lists events of many organizers: each one's times in its own zone, labelled, and
its day filter reads each event's days in that zone."""

import datetime as dt

from django_tenants.utils import schema_context

from apps.events.services import event_create, event_date_create, event_publish, location_create
from apps.organizers.services import organizer_create
from tests.tenants import ALPHA, BETA

PLATFORM = "localhost"


def _show(*, slug, country, name, start):
    organizer = organizer_create(name=f"{name} theatre", slug=slug, currency="EUR", country=country)
    stage = location_create(
        organizer=organizer, name="Stage", address="1 Street", city="City", country=country
    )
    event = event_create(organizer=organizer, location=stage, name=name)
    event_date_create(event=event, start=start, end=start + dt.timedelta(hours=2))
    event_publish(event=event)
    return event


def test_london_and_amsterdam_shows_each_in_their_own_zone(client, organizations):
    with schema_context(ALPHA.schema_name):  # 19:30 in London in December is 19:30 UTC
        _show(
            slug="london", country="GB", name="Hamlet", start=dt.datetime(2030, 12, 22, 19, 30, tzinfo=dt.UTC)
        )
    with schema_context(BETA.schema_name):  # 19:30 in Amsterdam is 18:30 UTC
        _show(
            slug="amsterdam",
            country="NL",
            name="Gijsbrecht",
            start=dt.datetime(2030, 12, 22, 18, 30, tzinfo=dt.UTC),
        )

    page = client.get("/events/", HTTP_HOST=PLATFORM).content.decode()

    assert "Sunday 22 December 2030, 19:30 (Europe/London)" in page
    assert "Sunday 22 December 2030, 19:30 (Europe/Amsterdam)" in page
    assert 'datetime="2030-12-22T19:30:00+00:00"' in page
    assert 'datetime="2030-12-22T19:30:00+01:00"' in page


def test_the_day_filter_reads_each_events_day_in_its_zone(client, organizations):
    # Both start at 23:30 UTC on 22 December: still the 22nd in London, the 23rd in Amsterdam.
    late = dt.datetime(2030, 12, 22, 23, 30, tzinfo=dt.UTC)
    with schema_context(ALPHA.schema_name):
        _show(slug="london", country="GB", name="Late in London", start=late)
    with schema_context(BETA.schema_name):
        _show(slug="amsterdam", country="NL", name="Late in Amsterdam", start=late)

    on_22 = client.get("/events/", {"date_from": "2030-12-22", "date_to": "2030-12-22"}, HTTP_HOST=PLATFORM)
    on_23 = client.get("/events/", {"date_from": "2030-12-23", "date_to": "2030-12-23"}, HTTP_HOST=PLATFORM)

    assert [event.name for event in on_22.context["page"].object_list] == ["Late in London"]
    # the London show runs past midnight: it is on the 23rd too
    assert {event.name for event in on_23.context["page"].object_list} == {
        "Late in Amsterdam",
        "Late in London",
    }
