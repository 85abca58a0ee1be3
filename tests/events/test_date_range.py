"""Dates are bounded to a sane range on every way in (API, control panel, replication,
services), and a stored date outside it — written before the bound, or by a path that skips
validation — still renders on every page, in any time zone, and can be fixed there."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from apps.events import services
from apps.events.models import EventDate, TicketType
from apps.organizers.services import organizer_create
from tests.factories import PLATFORM_HOST, OperatorFactory, api_client, api_token, clients_open
from tests.tenants import ALPHA

HOST = ALPHA.host
UTC = dt.UTC
FAR = "9999-12-31T23:00:00Z"  # UTC+1 overflows it


@pytest.fixture
def concert(in_alpha):
    organizer = organizer_create(name="Park A", slug="alpha-park", currency="EUR", country="NL")
    clients_open(organizer)  # on a plan with every feature
    arena = services.location_create(
        organizer=organizer, name="Arena", address="Parkweg 1", city="Utrecht", country="NL", capacity=500
    )
    event = services.event_create(organizer=organizer, location=arena, name="Concert")
    day = services.event_date_create(
        event=event,
        start=dt.datetime(2030, 6, 1, 18, tzinfo=UTC),
        end=dt.datetime(2030, 6, 1, 21, tzinfo=UTC),
    )
    ticket = services.ticket_type_create(event=event, event_date=day, name="Standard", price=Decimal("10.00"))
    admin = OperatorFactory(is_admin=True)
    return {"event": event, "day": day, "ticket": ticket, "admin": admin, "token": api_token(admin)}


def _api(concert):
    return api_client(host=HOST, token=concert["token"])


@pytest.mark.parametrize(
    "value", [FAR, "0001-01-01T00:30:00Z", "1850-01-01T00:00:00Z", "2400-01-01T00:00:00Z"]
)
def test_the_api_refuses_a_date_out_of_range_on_the_field(concert, value):
    created = _api(concert).post(
        "/api/v1/event-dates/",
        {"event": concert["event"].pk, "start": "2030-06-02T18:00:00Z", "end": value},
        format="json",
    )
    moved = _api(concert).patch(f"/api/v1/event-dates/{concert['day'].pk}/", {"start": value}, format="json")
    on_sale = _api(concert).patch(
        f"/api/v1/ticket-types/{concert['ticket'].pk}/", {"sale_end": value}, format="json"
    )

    assert created.status_code == 400, created.content
    assert list(created.json()) == ["end"]
    assert moved.status_code == 400
    assert list(moved.json()) == ["start"]
    assert on_sale.status_code == 400
    assert list(on_sale.json()) == ["sale_end"]


def test_the_range_itself_is_accepted(concert):
    answer = _api(concert).post(
        "/api/v1/event-dates/",
        {"event": concert["event"].pk, "start": "2199-12-31T20:00:00Z", "end": "2199-12-31T22:00:00Z"},
        format="json",
    )

    assert answer.status_code == 201, answer.content


def test_the_control_panel_refuses_a_date_out_of_range(client, concert):
    client.force_login(concert["admin"])

    answer = client.post(
        f"/control/events/{concert['event'].pk}/dates/",
        {"date-start": "9999-12-31T22:00", "date-end": "9999-12-31T23:59"},
        HTTP_HOST=HOST,
    )

    assert answer.status_code == 400
    assert answer.context["date_form"].errors["start"]


def test_the_service_refuses_a_date_out_of_range(concert):
    with pytest.raises(ValidationError) as refused:
        services.event_date_create(
            event=concert["event"],
            start=dt.datetime(2030, 1, 1, tzinfo=UTC),
            end=dt.datetime(9999, 12, 31, tzinfo=UTC),
        )

    assert "end" in refused.value.message_dict


@pytest.mark.parametrize(
    "plan",
    [
        {"kind": "copy", "dates": [{"start": "9999-12-31T20:00:00Z", "end": FAR}]},
        {
            "kind": "recurrence",
            "frequency": "daily",
            "times": ["20:00"],
            "starts_on": "9999-12-31",
            "count": 3,
        },
        {
            "kind": "recurrence",
            "frequency": "daily",
            "times": ["23:30"],
            "starts_on": "2199-12-31",
            "count": 1,
        },
    ],
)
def test_a_replication_out_of_range_is_a_400(concert, plan):
    answer = _api(concert).post(
        f"/api/v1/events/{concert['event'].pk}/replicate/",
        {"duration_minutes": 120, "timezone": "Europe/Amsterdam", "preview": True, **plan},
        format="json",
    )

    assert answer.status_code == 400, answer.content


def test_a_stored_date_out_of_range_renders_everywhere_and_can_be_fixed(client, concert):
    event, day = concert["event"], concert["day"]
    # a row from before the bound (or a write that skips validation)
    EventDate.objects.filter(pk=day.pk).update(end=dt.datetime(9999, 12, 31, 23, tzinfo=UTC))
    TicketType.objects.filter(pk=concert["ticket"].pk).update(
        sale_end=dt.datetime(9999, 12, 31, 23, tzinfo=UTC)
    )
    services.event_publish(event=event)
    client.force_login(concert["admin"])

    pages = [
        f"/control/events/{event.pk}/",
        f"/control/event-dates/{day.pk}/edit/",
        f"/control/ticket-types/{concert['ticket'].pk}/edit/",
        "/control/events/",
        "/control/events/calendar/?start=2030-06-01",
    ]
    answers = {path: client.get(path, HTTP_HOST=HOST).status_code for path in pages}
    api = _api(concert).get(f"/api/v1/event-dates/{day.pk}/")
    fixed = client.post(
        f"/control/event-dates/{day.pk}/edit/",
        {"date-start": "2030-06-01T20:00", "date-end": "2030-06-01T23:00", "date-capacity": ""},
        HTTP_HOST=HOST,
    )

    assert answers == dict.fromkeys(pages, 200)
    assert api.status_code == 200
    assert fixed.status_code == 302
    day.refresh_from_db()
    assert day.end == dt.datetime(2030, 6, 1, 21, tzinfo=UTC)


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01"])
def test_the_events_hub_answers_a_far_filter_on_the_field(organizations, query):
    answer = Client().get(f"/events/?{query}", HTTP_HOST=PLATFORM_HOST)

    assert answer.status_code in (200, 400)
    assert "Enter a date from 1900-01-01 to 2199-12-31." in answer.content.decode()
