"""A replication of many dates on a real Celery worker fed through Redis: the request only
queues it, the worker makes the dates in the organization's own schema, batch by batch."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.services import user_create
from apps.core.audit import Actor
from apps.events import services
from apps.events.models import EventDate, ReplicationRequest
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from tests.core.test_celery_worker import _wait_for, worker  # noqa: F401 - the worker fixture
from tests.factories import clients_open

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PLAN = {
    "kind": "recurrence",
    "frequency": "daily",
    "times": ["10:00", "16:00"],
    "duration_minutes": 90,
    "starts_on": "2031-03-01",
    "count": 600,  # three batches
    "timezone": "Europe/Amsterdam",
}


def test_the_worker_makes_a_queued_replications_dates_in_its_organization(worker, fresh_organization):  # noqa: F811
    organization = fresh_organization(name="Phi", slug="phi-org")
    with schema_context(organization.schema_name):
        park = organizer_create(name="Phi park", slug="phi-park", currency="EUR", country="NL")
        clients_open(park, organization=organization)
        operator = user_create(email="maker@phi.example", password="a long pass phrase", is_operator=True)
        operator_link(operator=operator, organizers=[park])
        operator.replication_approved_at = timezone.now()
        operator.save(update_fields=["replication_approved_at"])
        arena = services.location_create(
            organizer=park, name="Arena", address="Weg 1", city="Utrecht", country="NL"
        )
        event = services.event_create(organizer=park, location=arena, name="Show")

        request = services.replication_request(event=event, plan=PLAN, actor=Actor(user=operator))

        assert (request.status, request.total_count) == ("queued", 600)

        def done():
            return ReplicationRequest.objects.get(pk=request.pk).status == ReplicationRequest.Status.DONE

        _wait_for(done, timeout=90, what=f"the replication:\n{worker.read_text()}")
        request.refresh_from_db()
        assert (request.created_count, request.executed_at is not None) == (600, True)
        assert EventDate.objects.filter(event=event).count() == 600
    log = worker.read_text()
    assert "run_replication" in log
    assert "succeeded" in log
