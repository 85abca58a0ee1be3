"""Replication plans: what a plan creates, exactly."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.events.exceptions import EventError
from apps.events.replication import plan_slots
from apps.events.services import event_cancel, event_create, location_create, replication_request
from apps.organizers.services import organizer_create
from tests.factories import UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _recurrence(**changes):
    plan = {
        "kind": "recurrence",
        "frequency": "daily",
        "times": ["10:00"],
        "duration_minutes": 120,
        "starts_on": "2027-03-27",
        "count": 3,
        "timezone": "Europe/Amsterdam",
    }
    return plan | changes


def test_times_are_local_and_durations_are_elapsed_time_across_a_dst_change():
    # Summer time starts in Amsterdam on Sunday 2027-03-28 at 02:00.
    slots = plan_slots(_recurrence(times=["01:30"], duration_minutes=120))

    assert [slot.start.astimezone(AMSTERDAM).hour for slot in slots] == [1, 1, 1]
    # (subtract in UTC: Python subtracts same-zone datetimes by the wall clock)
    assert all(
        slot.end.astimezone(dt.UTC) - slot.start.astimezone(dt.UTC) == dt.timedelta(hours=2) for slot in slots
    )
    assert slots[1].end.astimezone(AMSTERDAM).hour == 4  # 01:30 + 2 h, with the clock jumping at 02:00


def test_weekly_on_chosen_weekdays_with_several_times_until_a_date():
    slots = plan_slots(
        _recurrence(
            frequency="weekly", weekdays=[5, 6], times=["14:00", "10:00"], count=None, until="2027-04-11"
        )
    )

    days = [slot.start.astimezone(AMSTERDAM) for slot in slots]
    assert {day.weekday() for day in days} == {5, 6}
    assert [day.hour for day in days[:2]] == [10, 14]
    assert len(slots) == 3 * 2 * 2  # three weekends, two days, two times


def test_a_count_is_a_number_of_dates_not_of_days():
    assert len(plan_slots(_recurrence(times=["10:00", "14:00", "18:00"], count=7))) == 7


def test_monthly_repeats_on_the_same_day_of_the_month():
    slots = plan_slots(_recurrence(frequency="monthly", starts_on="2027-01-15", count=4))

    assert [slot.start.astimezone(AMSTERDAM).date().isoformat() for slot in slots] == [
        "2027-01-15",
        "2027-02-15",
        "2027-03-15",
        "2027-04-15",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"count": None}, "either an end date or a number"),
        ({"until": "2027-12-31"}, "either an end date or a number"),
        ({"times": []}, "time of day"),
        ({"times": ["25:00"]}, "time of day"),
        ({"duration_minutes": 0}, "duration"),
        ({"frequency": "hourly"}, "daily, weekly or monthly"),
        ({"frequency": "weekly"}, "weekdays"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"count": 5001}, "at most 5000"),
    ],
)
def test_bad_plans_say_what_is_wrong(changes, message):
    with pytest.raises(EventError, match=message):
        plan_slots(_recurrence(**changes))


def test_a_cancelled_event_is_not_replicated(in_alpha):
    organizer = organizer_create(name="Park", currency="EUR", country="NL")
    location = location_create(
        organizer=organizer, name="Gate", address="1 Road", city="Utrecht", country="NL"
    )
    event = event_cancel(event=event_create(organizer=organizer, location=location, name="Gone"))
    operator = UserFactory(email="op@example.com", is_operator=True, is_admin=True)

    with pytest.raises(EventError, match="cancelled"):
        replication_request(event=event, plan=_recurrence(), actor=Actor(user=operator))
    with schema_context(in_alpha.schema_name):
        assert not event.replication_requests.exists()
