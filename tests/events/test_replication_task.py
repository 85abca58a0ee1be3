"""A replication of many dates runs on the worker, batch by batch, with its progress on a
page that polls a status endpoint (static JS, no inline script) and in the API; a stopped
run resumes after its last batch, a lost one is sent again by beat, a failure is shown.
Tasks run eagerly here; tests/events/test_worker.py runs them on a real worker."""

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.audit import Actor
from apps.events import services
from apps.events.models import EventDate, Location, ReplicationRequest
from apps.events.replication import plan_slots
from apps.events.tasks import resume_stalled_replications_everywhere, run_replication
from tests.events.test_views import WEEKLY, _as, _replicate
from tests.tenants import ALPHA

HOST = ALPHA.host


@pytest.fixture
def approved(park):
    with schema_context(ALPHA.schema_name):
        park.config.replication_approved_at = timezone.now()
        park.config.save(update_fields=["replication_approved_at"])
    return park


def _confirm(client, event, data, callbacks):
    digest = _replicate(client, event, data).context["preview"]["digest"]
    with callbacks() as queued:
        response = _replicate(client, event, data, step="confirm", previewed=digest)
    return response, queued


def _made(park) -> int:
    with schema_context(ALPHA.schema_name):
        return EventDate.objects.filter(event=park.concert).exclude(pk=park.day1.pk).count()


def test_a_large_replication_is_queued_and_its_page_shows_the_progress_until_done(
    client, approved, django_capture_on_commit_callbacks
):
    client = _as(client, approved.config)
    plan = {**WEEKLY, "count": "120"}  # more than EVENTS_REPLICATION_INLINE_MAX (50)

    response, queued = _confirm(client, approved.concert, plan, django_capture_on_commit_callbacks)

    with schema_context(ALPHA.schema_name):
        request = ReplicationRequest.objects.get()
    progress_url = f"/control/events/{approved.concert.pk}/replications/{request.pk}/"
    assert (response.status_code, response["Location"]) == (302, progress_url)
    assert (request.status, request.total_count, request.created_count) == ("queued", 120, 0)
    assert _made(approved) == 0  # nothing made within the request
    page = client.get(progress_url, HTTP_HOST=HOST).content.decode()
    status = client.get(f"{progress_url}status/", HTTP_HOST=HOST).json()
    assert "Waiting to run" in page
    assert "0 of 120 dates created" in page
    assert f'data-status-url="{progress_url}status/"' in page
    assert '<meta http-equiv="refresh"' in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert '<script src="/static/js/status-poll.js" defer>' in scripts
    assert all(" src=" in script for script in scripts)  # no inline script
    assert status == {
        "status": "queued",
        "label": "Waiting to run",
        "progress": "0 of 120 dates created",
        "percent": 0,
        "finished": False,
    }

    for callback in queued:  # the commit sends run_replication: eager, it runs here
        callback()

    done = client.get(f"{progress_url}status/", HTTP_HOST=HOST).json()
    page = client.get(progress_url, HTTP_HOST=HOST).content.decode()
    assert done == {
        "status": "done",
        "label": "Done",
        "progress": "120 of 120 dates created",
        "percent": 100,
        "finished": True,
    }
    assert "See the dates" in page
    assert '<meta http-equiv="refresh"' not in page
    assert _made(approved) == 120


def test_a_small_replication_is_still_made_within_the_request(client, approved):
    client = _as(client, approved.config)
    digest = _replicate(client, approved.concert, WEEKLY).context["preview"]["digest"]

    response = _replicate(client, approved.concert, WEEKLY, step="confirm", previewed=digest)

    assert response["Location"] == f"/control/events/{approved.concert.pk}/#dates"
    assert _made(approved) == 50


def test_the_inline_maximum_is_a_setting(client, approved, settings, django_capture_on_commit_callbacks):
    settings.EVENTS_REPLICATION_INLINE_MAX = 10
    client = _as(client, approved.config)

    response, _queued = _confirm(
        client, approved.concert, {**WEEKLY, "count": "11"}, django_capture_on_commit_callbacks
    )

    assert "/replications/" in response["Location"]
    assert _made(approved) == 0


DAILY = {
    "kind": "recurrence",
    "frequency": "daily",
    "times": ["18:00"],
    "duration_minutes": 60,
    "starts_on": "2031-01-01",
    "timezone": "Europe/Amsterdam",
}


def _queued_request(park, count: int) -> ReplicationRequest:
    plan = {**DAILY, "count": count}
    request = ReplicationRequest.objects.create(
        event=park.concert,
        requested_by=park.config,
        plan=plan,
        status=ReplicationRequest.Status.QUEUED,
        total_count=count,
    )
    return request


def test_a_run_stopped_after_a_batch_resumes_without_making_a_date_twice(approved):
    with schema_context(ALPHA.schema_name):
        request = _queued_request(approved, 600)
        done_before = plan_slots(request.plan)[:250]  # what a first batch committed
        EventDate.objects.bulk_create(
            [EventDate(event=approved.concert, start=s.start, end=s.end) for s in done_before]
        )
        ReplicationRequest.objects.filter(pk=request.pk).update(
            status=ReplicationRequest.Status.RUNNING, created_count=250, target_event=approved.concert
        )

        assert run_replication.delay(schema_name=ALPHA.schema_name, request_id=request.pk).get() == "done"
        assert run_replication.delay(schema_name=ALPHA.schema_name, request_id=request.pk).get() == "done"

        request.refresh_from_db()
        starts = list(
            EventDate.objects.filter(event=approved.concert)
            .exclude(pk=approved.day1.pk)
            .values_list("start", flat=True)
        )
    assert (request.status, request.created_count, request.total_count) == ("done", 600, 600)
    assert len(starts) == len(set(starts)) == 600


def test_beat_sends_again_a_replication_that_stalled(approved):
    with schema_context(ALPHA.schema_name):
        stalled = _queued_request(approved, 60)
        fresh = _queued_request(approved, 70)
        ReplicationRequest.objects.filter(pk=stalled.pk).update(
            updated_at=timezone.now() - dt.timedelta(minutes=10)
        )
    task = "apps.events.tasks.resume_stalled_replications_everywhere"

    resume_stalled_replications_everywhere.delay(schema_name="public").get()

    assert task in {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    with schema_context(ALPHA.schema_name):
        assert ReplicationRequest.objects.get(pk=stalled.pk).status == "done"
        assert ReplicationRequest.objects.get(pk=fresh.pk).status == "queued"  # its task may still come
    assert _made(approved) == 60


def test_a_replication_that_cannot_finish_is_failed_with_its_reason_on_the_page(client, approved):
    with schema_context(ALPHA.schema_name):
        hall = services.location_create(
            organizer=approved.a, name="Hall", address="Dam 1", city="Amsterdam", country="NL"
        )
        dates = [
            {"start": f"2031-02-{day:02d}T18:00:00+01:00", "end": f"2031-02-{day:02d}T20:00:00+01:00"}
            for day in range(1, 3)
        ]
        request = ReplicationRequest.objects.create(
            event=approved.concert,
            requested_by=approved.config,
            plan={"kind": "copy", "dates": dates, "location": hall.pk, "name": "Copy"},
            status=ReplicationRequest.Status.QUEUED,
            total_count=2,
        )
        Location.objects.filter(pk=hall.pk).delete()  # gone before the worker ran

        assert run_replication.delay(schema_name=ALPHA.schema_name, request_id=request.pk).get() == "failed"

    page = _as(client, approved.config).get(
        f"/control/events/{approved.concert.pk}/replications/{request.pk}/", HTTP_HOST=HOST
    )
    assert "Copy to a location of the same organizer." in page.content.decode()
    assert "Failed" in page.content.decode()


def test_the_api_queues_a_large_replication_and_shows_its_progress_to_those_who_see_the_event(
    approved, django_capture_on_commit_callbacks
):
    from tests.factories import api_client, api_token

    with schema_context(ALPHA.schema_name):
        config_token, other_token = api_token(approved.config), api_token(approved.other)
    config = api_client(host=HOST, token=config_token)
    plan = {**DAILY, "count": 80}

    with django_capture_on_commit_callbacks(execute=True):
        queued = config.post(f"/api/v1/events/{approved.concert.pk}/replicate/", plan, format="json")

    body = queued.json()
    assert (queued.status_code, body["status"], body["total_count"]) == (202, "queued", 80)
    mine = config.get(f"/api/v1/replications/{body['id']}/").json()
    assert (mine["status"], mine["created_count"], mine["total_count"], mine["target_event"]) == (
        "done",
        80,
        80,
        approved.concert.pk,
    )
    other = api_client(host=HOST, token=other_token)  # configures B only
    assert other.get(f"/api/v1/replications/{body['id']}/").status_code == 404
    assert other.get("/api/v1/replications/").json()["results"] == []


def test_a_held_replication_released_by_the_approval_runs_with_its_progress(park):
    with schema_context(ALPHA.schema_name):
        held = services.replication_request(
            event=park.concert,
            plan={**DAILY, "count": 300},
            actor=Actor(user=park.config),
        )
        assert (held.status, held.total_count) == ("awaiting_approval", 300)

        services.replication_right_grant(operator=park.config, granted_by_email="admin@platform.test")
        services.replications_release(operator_id=park.config.pk)

        held.refresh_from_db()
    assert (held.status, held.created_count) == ("done", 300)
