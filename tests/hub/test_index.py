"""The hub's index follows every change to an organization's events, from its schema."""

import datetime as dt
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

import apps.hub
from apps.core.audit import Actor
from apps.core.hooks import event_changed
from apps.events.models import Event, EventDate
from apps.events.services import (
    event_cancel,
    event_date_create,
    event_date_delete,
    event_date_update,
    event_delete,
    event_publish,
    event_unpublish,
    event_update,
    location_update,
    replication_request,
)
from apps.hub.models import HubEvent
from apps.hub.services import hub_event_changed, hub_event_refresh
from apps.tenancy.models import Domain
from tests.factories import UserFactory, twin_sequences
from tests.hub.helpers import event_with_dates, organizer_of, soon
from tests.tenants import ALPHA, BETA


def _rows(schema_name=ALPHA.schema_name):
    with schema_context("public"):
        return list(HubEvent.objects.filter(schema_name=schema_name).order_by("event_id"))


def test_publishing_lists_the_event_with_its_dates_to_come_and_organizer(alpha):
    with schema_context(alpha.schema_name):
        event = event_with_dates(
            organizer_of(ALPHA), name="Summer nights", days=(3, 10, 20), category="concert"
        )

    [row] = _rows()
    assert (row.event_id, row.name, row.organizer_name, row.organizer_slug) == (
        event.pk,
        "Summer nights",
        ALPHA.name,
        ALPHA.organizer_slug,
    )
    assert (row.city, row.country, row.location_name, row.category) == ("Utrecht", "NL", "Gate", "concert")
    assert row.date_count == 3
    with schema_context(alpha.schema_name):
        dates = list(event.dates.order_by("start"))
    assert row.next_start == dates[0].start
    assert row.last_end == dates[-1].end
    assert row.host == ALPHA.organizer_host


def test_drafts_and_events_without_dates_to_come_are_not_listed(alpha):
    with schema_context(alpha.schema_name):
        organizer = organizer_of(ALPHA)
        event_with_dates(organizer, name="Still a draft", publish=False)
        event_with_dates(organizer, name="All over", days=(-10, -3))

    assert _rows() == []


def test_unpublishing_and_cancelling_take_the_event_off_the_hub(alpha):
    with schema_context(alpha.schema_name):
        organizer = organizer_of(ALPHA)
        drafted = event_with_dates(organizer, name="Drafted again")
        cancelled = event_with_dates(organizer, name="Called off")
        kept = event_with_dates(organizer, name="Kept")
        assert len(_rows()) == 3

        event_unpublish(event=drafted)
        event_cancel(event=cancelled)
        assert [row.name for row in _rows()] == ["Kept"]

        event_publish(event=drafted)
    assert [row.event_id for row in _rows()] == sorted([drafted.pk, kept.pk])


def test_date_changes_move_the_next_date_and_the_count(alpha):
    with schema_context(alpha.schema_name):
        event = event_with_dates(organizer_of(ALPHA), name="Tour", days=(5, 15))
        first, second = event.dates.order_by("start")

        start, end = soon(2)
        added = event_date_create(event=event, start=start, end=end)
        [row] = _rows()
        assert (row.next_start, row.date_count) == (added.start, 3)

        start, end = soon(30)
        moved = event_date_update(event_date=added, start=start, end=end)
        [row] = _rows()
        assert (row.next_start, row.last_end, row.date_count) == (first.start, moved.end, 3)

        event_date_delete(event_date=moved)
        event_date_delete(event_date=first)
        [row] = _rows()
        assert (row.next_start, row.date_count) == (second.start, 1)

        event_date_update(
            event_date=second,
            start=second.start - dt.timedelta(days=20),
            end=second.end - dt.timedelta(days=20),
        )
    assert _rows() == []  # its only date is over now


def test_renaming_an_event_or_moving_its_venue_updates_the_entry(alpha):
    with schema_context(alpha.schema_name):
        event = event_with_dates(organizer_of(ALPHA), name="Old name", city="Utrecht")

        event_update(event=event, name="New name", category="festival")
        location_update(location=event.location, city="Rotterdam", name="Harbour")

    [row] = _rows()
    assert (row.name, row.category, row.city, row.location_name) == (
        "New name",
        "festival",
        "Rotterdam",
        "Harbour",
    )
    assert row.search == "new name alpha parks rotterdam harbour"


def test_deleting_an_event_removes_its_entry(alpha):
    with schema_context(alpha.schema_name):
        event = event_with_dates(organizer_of(ALPHA), name="Gone soon", publish=False)
        with schema_context("public"):  # an entry left behind, say by an older version
            HubEvent.objects.create(
                schema_name=alpha.schema_name,
                event_id=event.pk,
                organizer_name="x",
                organizer_slug="x",
                name="Gone soon",
                category="other",
                city="Utrecht",
                country="NL",
                location_name="Gate",
                next_start=timezone.now(),
                last_end=timezone.now(),
                date_count=1,
                host="x",
                search="gone soon",
            )
        for date in event.dates.all():
            event_date_delete(event_date=date)
        event_delete(event=event)

    assert _rows() == []


def test_a_replication_updates_the_entry_once_for_all_its_dates(alpha):
    plan = {
        "kind": "recurrence",
        "frequency": "daily",
        "times": ["10:00"],
        "duration_minutes": 120,
        "starts_on": (timezone.now() + dt.timedelta(days=40)).date().isoformat(),
        "count": 30,
        "timezone": "Europe/Amsterdam",
    }
    with schema_context(alpha.schema_name):
        event = event_with_dates(organizer_of(ALPHA), name="Daily show", days=(20,))
        operator = UserFactory(
            email="maker@alpha.example", is_operator=True, replication_approved_at=timezone.now()
        )

        with mock.patch.object(event_changed, "send", wraps=event_changed.send) as refresh:
            replication_request(event=event, plan=plan, actor=Actor(user=operator))

        assert refresh.call_count == 1
        last = EventDate.objects.filter(event=event).order_by("-end").first()
    [row] = _rows()
    assert (row.date_count, row.last_end) == (31, last.end)


def test_twin_organizations_with_the_same_event_ids_keep_their_own_entries(alpha, beta):
    twin_sequences(
        alpha.schema_name,
        beta.schema_name,
        tables=(
            "organizers_organizer",
            "organizers_distribution",
            "events_location",
            "events_event",
            "events_eventdate",
        ),
    )
    events = {}
    for tenant in (ALPHA, BETA):
        with schema_context(tenant.schema_name):
            events[tenant.slug] = event_with_dates(organizer_of(tenant), name="Twin marker")
    assert events["alpha"].pk == events["beta"].pk

    [alpha_row], [beta_row] = _rows(ALPHA.schema_name), _rows(BETA.schema_name)
    assert (alpha_row.organizer_name, alpha_row.host) == (ALPHA.name, ALPHA.organizer_host)
    assert (beta_row.organizer_name, beta_row.host) == (BETA.name, BETA.organizer_host)

    with schema_context(alpha.schema_name):
        event_unpublish(event=events["alpha"])
    assert _rows(ALPHA.schema_name) == []
    assert len(_rows(BETA.schema_name)) == 1


def test_the_index_is_written_to_the_public_schema_only(alpha):
    with schema_context(alpha.schema_name):
        event_with_dates(organizer_of(ALPHA), name="Where does it go")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_regclass(%s), count(*) FROM public.hub_hubevent",
                [f'"{alpha.schema_name}".hub_hubevent'],
            )
            tenant_table, public_rows = cursor.fetchone()
    assert tenant_table is None
    assert public_rows == 1


def _publish_then_fail(event):
    with transaction.atomic():
        event_publish(event=event)
        raise RuntimeError("the caller's transaction fails later")


def test_the_entry_rolls_back_with_the_change_to_the_event(alpha):
    with schema_context(alpha.schema_name):
        event = event_with_dates(organizer_of(ALPHA), name="Steady", publish=False)
        with pytest.raises(RuntimeError, match="fails later"):
            _publish_then_fail(event)
    assert _rows() == []


def test_an_organizer_without_its_own_host_links_to_the_organizations_primary_host(alpha):
    with schema_context("public"):
        Domain.objects.filter(domain=ALPHA.organizer_host).delete()
    with schema_context(alpha.schema_name):
        event_with_dates(organizer_of(ALPHA), name="Main site")
    [row] = _rows()
    assert row.host == ALPHA.host


def test_indexing_outside_an_organizations_schema_is_refused(alpha):
    with schema_context(alpha.schema_name):
        event = event_with_dates(organizer_of(ALPHA), name="Here", publish=False)
    with pytest.raises(RuntimeError, match="own schema"):
        hub_event_refresh(schema_name=alpha.schema_name, event_id=event.pk)


def test_the_hub_hears_an_events_change_through_the_hook_and_rereads_it(alpha):
    # given a listed event whose name changes behind the services' back (no notice sent)
    with schema_context(alpha.schema_name):
        event = event_with_dates(organizer_of(ALPHA), name="Before")
        Event.objects.filter(pk=event.pk).update(name="After")
    assert [row.name for row in _rows()] == ["Before"]
    assert hub_event_changed in event_changed._listeners  # HubConfig.ready listens

    # when events tells the hook, then the hub re-reads it from the events selector
    with schema_context(alpha.schema_name):
        event_changed.send(alpha.schema_name, event.pk)
    assert [row.name for row in _rows()] == ["After"]

    # and a deleted event leaves the index the same way
    with schema_context(alpha.schema_name):
        EventDate.objects.filter(event=event).delete()
        Event.objects.filter(pk=event.pk).delete()
        event_changed.send(alpha.schema_name, event.pk)
    assert _rows() == []


def test_the_hub_reads_events_only_through_the_events_selector():
    hub = Path(apps.hub.__file__).parent
    readers = [path.name for path in hub.rglob("*.py") if "apps.events.models" in path.read_text()]
    assert readers == []
