"""An operator's first replication waits for the platform's one-time approval."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from apps.accounts.models import ApprovalRequest, User
from apps.core.audit import Actor
from apps.events.models import EventDate, ReplicationRequest
from apps.events.services import (
    event_create,
    event_date_create,
    location_create,
    replication_request,
    ticket_type_create,
)
from apps.operators.services import operator_link
from apps.organizers.services import organizer_create
from tests.factories import UserFactory, totp_for
from tests.tenants import ALPHA

PLAN = {
    "kind": "recurrence",
    "frequency": "weekly",
    "weekdays": [5, 6],
    "times": ["10:00", "14:00"],
    "duration_minutes": 120,
    "starts_on": "2027-05-01",
    "count": 20,
    "timezone": "Europe/Amsterdam",
}


@pytest.fixture
def held(alpha, django_capture_on_commit_callbacks):
    """A configurer of Alpha park asks for a first replication: it is held."""
    with schema_context(alpha.schema_name):
        park = organizer_create(name="Alpha park", currency="EUR", country="NL")
        location = location_create(
            organizer=park, name="Gate", address="Parkweg 1", city="Utrecht", country="NL"
        )
        event = event_create(organizer=park, location=location, name="Summer nights")
        start = dt.datetime(2027, 4, 1, 18, tzinfo=dt.UTC)
        event_date_create(event=event, start=start, end=start + dt.timedelta(hours=3))
        operator = UserFactory(email="maker@alpha.example", is_operator=True)
        operator_link(operator=operator, organizers=[park])
        with django_capture_on_commit_callbacks(execute=True):
            request = replication_request(event=event, plan=PLAN, actor=Actor(user=operator, host=ALPHA.host))
    with schema_context("public"):
        totp_for(UserFactory(email="staff@platform.example", is_staff=True))
    return {"event": event, "operator": operator, "request": request}


def _approval():
    with schema_context("public"):
        return ApprovalRequest.objects.get()


def test_a_first_replication_is_held_and_the_platform_is_asked(held):
    assert held["request"].status == ReplicationRequest.Status.AWAITING_APPROVAL
    with schema_context(ALPHA.schema_name):
        assert EventDate.objects.count() == 1  # nothing replicated yet
    approval = _approval()
    assert approval.operator_email == "maker@alpha.example"
    assert approval.organization_schema == ALPHA.schema_name
    assert approval.subject_name == "Summer nights (Alpha park)"


def test_the_platform_admins_are_emailed_a_link_to_review_it(held, alpha, django_capture_on_commit_callbacks):
    with schema_context("public"):  # the staff user came after the fixture's request: ask afresh
        ApprovalRequest.objects.all().delete()
    mail.outbox.clear()

    with schema_context(alpha.schema_name), django_capture_on_commit_callbacks(execute=True):
        replication_request(event=held["event"], plan=PLAN, actor=Actor(user=held["operator"]))

    [message] = mail.outbox
    assert message.to == ["staff@platform.example"]
    assert "maker@alpha.example" in message.subject
    assert f"http://localhost/platform/approvals/{_approval().pk}/" in message.body


def test_asking_twice_opens_one_approval_request(held, alpha):
    with schema_context(alpha.schema_name):
        replication_request(event=held["event"], plan=PLAN, actor=Actor(user=held["operator"]))

    with schema_context("public"):
        assert ApprovalRequest.objects.count() == 1
    with schema_context(alpha.schema_name):
        assert ReplicationRequest.objects.filter(status="awaiting_approval").count() == 2


def _staff_client(client):
    with schema_context("public"):
        client.force_login(User.objects.get(email="staff@platform.example"))
    return client


def test_the_platform_admin_reviews_the_event(client, held):
    page = _staff_client(client).get(f"/platform/approvals/{_approval().pk}/", HTTP_HOST="localhost")

    assert page.status_code == 200
    body = page.content.decode()
    assert "Summer nights" in body
    assert "Gate, Utrecht" in body
    assert "20 dates" in body


def test_the_review_shows_the_ticket_prices_with_the_currencys_decimals(client, held, alpha):
    with schema_context(alpha.schema_name):
        ticket_type_create(event=held["event"], name="Adult", price=Decimal("12.00"))  # stored as 12.000

    body = _staff_client(client).get(f"/platform/approvals/{_approval().pk}/", HTTP_HOST="localhost")

    assert "Adult (12.00 EUR)" in body.content.decode()
    assert "12.000" not in body.content.decode()


def test_granting_runs_the_held_requests_and_tells_the_operator(
    client, held, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _staff_client(client).post(f"/platform/approvals/{_approval().pk}/", HTTP_HOST="localhost")

    assert response.status_code == 302
    assert _approval().status == ApprovalRequest.Status.GRANTED
    assert _approval().decided_by_email == "staff@platform.example"
    with schema_context(ALPHA.schema_name):
        assert EventDate.objects.count() == 21
        assert ReplicationRequest.objects.get().status == ReplicationRequest.Status.DONE
        assert User.objects.get(email="maker@alpha.example").replication_approved_at is not None
    assert any(
        message.to == ["maker@alpha.example"] and "approved" in message.subject.lower()
        for message in mail.outbox
    )


def test_after_the_approval_replications_run_at_once(client, held, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _staff_client(client).post(f"/platform/approvals/{_approval().pk}/", HTTP_HOST="localhost")

    with schema_context(ALPHA.schema_name):
        operator = User.objects.get(email="maker@alpha.example")
        again = replication_request(
            event=held["event"], plan={**PLAN, "count": 4}, actor=Actor(user=operator)
        )
        assert again.status == ReplicationRequest.Status.DONE
        assert EventDate.objects.count() == 25
    with schema_context("public"):
        assert ApprovalRequest.objects.count() == 1  # no new approval asked


def test_only_platform_admins_open_the_approvals(client, held, alpha):
    assert client.get("/platform/approvals/", HTTP_HOST="localhost").status_code == 302  # to login
    with schema_context(alpha.schema_name):
        client.force_login(User.objects.get(email="maker@alpha.example"))
    assert client.get("/platform/approvals/", HTTP_HOST=ALPHA.host).status_code == 404
