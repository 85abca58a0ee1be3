"""A daily schedule of timeslots in the control panel (issue 15 §5): days × start times with a
capacity each, made by the replication (preview, confirmation, progress), and the event page
showing the dates per day with sold / capacity."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.core.timezones import localtime_in
from apps.events import services
from apps.events.models import EventDate, ReplicationRequest
from apps.sales.models import DateStock
from tests.factories import (
    ADMIN,
    ANONYMOUS,
    CONFIGURER,
    CUSTOMER,
    OTHER,
    OTHER_ORGANIZATION,
    SELLER,
    clients_open,
    programme_build,
    world_build,
)
from tests.sales.roles import TO_LOGIN, client_for, expect
from tests.tenants import ALPHA

SCHEDULE = {
    "starts_on": "2030-07-01",  # a Monday
    "until": "2030-07-14",
    "weekdays": ["0", "1", "2", "3", "4"],  # Monday to Friday
    "times": "10:00, 11:00, 14:30",
    "duration_minutes": "45",
    "capacity": "40",
}


@pytest.fixture
def world(alpha, beta):
    world = world_build(alpha, beta)
    clients_open(world.team.a, world.team.b, organization=alpha)
    return world


@pytest.fixture
def programme(world):
    with schema_context(ALPHA.schema_name):
        programme = programme_build(world.team)
        services.ticket_type_create(
            event=programme.concert, event_date=programme.day1, name="Entry", price=Decimal("15")
        )
    return programme


@pytest.fixture
def approved(world):
    with schema_context(ALPHA.schema_name):
        for user in (world.team.configurer, world.team.admin):
            user.replication_approved_at = timezone.now()
            user.save(update_fields=["replication_approved_at"])


def _schedule(client, event, data=SCHEDULE, step="preview", previewed=""):
    return client.post(
        f"/control/events/{event.pk}/schedule/", {**data, "step": step, "previewed": previewed}
    )


def _made(event):
    with schema_context(ALPHA.schema_name):
        return list(EventDate.objects.filter(event=event, start__year=2030, start__month=7).order_by("start"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ADMIN, 200),
        (CONFIGURER, 200),
        (SELLER, 403),
        (OTHER, 404),
        (CUSTOMER, 403),
        (ANONYMOUS, TO_LOGIN),
        (OTHER_ORGANIZATION, TO_LOGIN),
    ],
)
def test_who_may_open_the_daily_schedule(world, programme, role, expected):
    response = client_for(world, role).get(f"/control/events/{programme.concert.pk}/schedule/")

    expect(response, expected)
    if expected == 200:
        page = response.content.decode()
        assert "Daily schedule of" in page
        assert "Europe/Amsterdam" in page


@pytest.mark.parametrize(("role", "expected"), [(SELLER, 403), (OTHER, 404), (OTHER_ORGANIZATION, TO_LOGIN)])
def test_who_may_not_make_a_daily_schedule(world, programme, approved, role, expected):
    client = client_for(world, role)

    expect(_schedule(client, programme.concert, step="confirm", previewed="x"), expected)
    assert _made(programme.concert) == []


def test_the_preview_says_how_many_dates_and_makes_none(world, programme):
    response = _schedule(client_for(world, CONFIGURER), programme.concert)

    page = response.content.decode()
    assert response.status_code == 200
    assert "This creates 30 dates." in page  # 10 weekdays × 3 timeslots
    assert "3 timeslots a day on 10 days." in page
    assert "Mon 1 Jul 2030, 10:00" in page
    assert "Create 30 dates" in page
    assert _made(programme.concert) == []


def test_a_configurer_makes_the_timeslots_in_the_events_zone_with_their_capacity(world, programme, approved):
    client = client_for(world, CONFIGURER)
    digest = _schedule(client, programme.concert).context["preview"]["digest"]

    response = _schedule(client, programme.concert, step="confirm", previewed=digest)

    assert response.status_code == 302
    assert response["Location"] == f"/control/events/{programme.concert.pk}/#dates"
    dates = _made(programme.concert)
    assert len(dates) == 30
    local = [localtime_in(d.start, "Europe/Amsterdam") for d in dates]
    assert {t.weekday() for t in local} == {0, 1, 2, 3, 4}
    assert sorted({t.strftime("%H:%M") for t in local}) == ["10:00", "11:00", "14:30"]
    assert {d.capacity for d in dates} == {40}
    assert {d.end - d.start for d in dates} == {dt.timedelta(minutes=45)}
    with schema_context(ALPHA.schema_name):
        # the event's date ticket types, on each timeslot
        assert sorted(t.name for t in dates[0].ticket_types.all()) == ["ALPHA-A Standard", "Entry"]
        assert ReplicationRequest.objects.get().plan["frequency"] == "daily"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"until": "2030-06-30"}, "until", "The last day is before the first."),
        ({"times": "10:00, 25:00"}, "times", "“25:00” is not a time of day"),
        ({"times": ""}, "times", "This field is required."),
        ({"weekdays": []}, "weekdays", "This field is required."),
        ({"weekdays": ["7"]}, "weekdays", "Select a valid choice."),
        ({"capacity": "-1"}, "capacity", "greater than or equal to 0"),
        ({"duration_minutes": "0"}, "duration_minutes", "greater than or equal to 1"),
        ({"starts_on": "soon"}, "starts_on", "Enter a valid date."),
        ({"until": "2050-12-31", "times": "08:00, 09:00"}, None, "at most 5000 at once"),
    ],
)
def test_bad_schedules_are_form_errors(world, programme, changes, field, message):
    response = _schedule(client_for(world, CONFIGURER), programme.concert, {**SCHEDULE, **changes})

    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field) if field else form.non_field_errors()
    assert any(message in error for error in errors), form.errors
    assert _made(programme.concert) == []


def test_the_event_page_shows_the_dates_per_day_with_sold_and_capacity(world, programme):
    with schema_context(ALPHA.schema_name):
        start = dt.datetime(2030, 7, 1, 8, tzinfo=dt.UTC)  # 10:00 in Amsterdam
        morning = services.event_date_create(
            event=programme.concert, start=start, end=start + dt.timedelta(hours=1), capacity=40
        )
        services.event_date_create(
            event=programme.concert,
            start=start + dt.timedelta(hours=4),
            end=start + dt.timedelta(hours=5),
            capacity=40,
        )
        DateStock.objects.create(event_date=morning, sold=3, held=2)

    page = client_for(world, CONFIGURER).get(f"/control/events/{programme.concert.pk}/").content.decode()

    assert (
        '<h3 class="date-day" id="day-2030-07-01">Monday 1 July 2030 <small class="muted">(2 dates)</small></h3>'
        in page
    )
    assert "Dates of Monday 1 July 2030" in page  # each day's table caption
    day = page[page.index('id="day-2030-07-01"') :]
    assert day.index(">10:00</time>") < day.index(">14:00</time>")
    assert "3 / 40" in day
    assert "0 / 40" in day
    assert "Daily schedule of timeslots" in page


def test_the_daily_schedule_in_french(world, programme):
    client = client_for(world, CONFIGURER)
    client.cookies["django_language"] = "fr"

    page = _schedule(client, programme.concert).content.decode()

    assert "Planning quotidien de" in page
    assert "3 créneaux par jour sur 10 jours." in page


def test_the_replication_service_makes_a_daily_schedule_on_the_chosen_weekdays(world, programme, approved):
    plan = {
        "kind": "recurrence",
        "frequency": "daily",
        "interval": 1,
        "weekdays": [5, 6],
        "times": ["09:00", "13:00"],
        "starts_on": "2030-07-01",
        "until": "2030-07-31",
        "duration_minutes": 60,
        "timezone": "Europe/Amsterdam",
        "capacity": 25,
    }
    with schema_context(ALPHA.schema_name):
        replication = services.replication_request(
            event=programme.concert, plan=plan, actor=Actor(user=world.team.configurer)
        )
        assert replication.status == ReplicationRequest.Status.DONE
        assert replication.created_count == 16  # 8 weekend days in July 2030 × 2

    dates = _made(programme.concert)
    assert len(dates) == 16
    assert {localtime_in(d.start, "Europe/Amsterdam").weekday() for d in dates} == {5, 6}
    assert {d.capacity for d in dates} == {25}


def test_a_year_of_timeslots_is_queued_with_the_replications_progress(
    world, programme, approved, django_capture_on_commit_callbacks
):
    client = client_for(world, CONFIGURER)
    year = {**SCHEDULE, "until": "2031-06-30", "weekdays": [str(d) for d in range(7)]}
    digest = _schedule(client, programme.concert, year).context["preview"]["digest"]

    with django_capture_on_commit_callbacks(execute=False):  # the worker's message, not run here
        response = _schedule(client, programme.concert, year, step="confirm", previewed=digest)

    with schema_context(ALPHA.schema_name):
        replication = ReplicationRequest.objects.get()
    progress = f"/control/events/{programme.concert.pk}/replications/{replication.pk}/"
    assert (response.status_code, response["Location"]) == (302, progress)
    assert (replication.status, replication.total_count) == ("queued", 365 * 3)
    assert "0 of 1095 dates created" in client.get(progress).content.decode()
