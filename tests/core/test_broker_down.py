"""A write that queues an e-mail while the broker is down commits and raises nothing; the
e-mail's row is sent once by the sweep when the broker is back."""

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import F

from apps.core.emails import PENDING_AFTER, email_send
from apps.core.models import OutgoingEmail
from apps.tenancy.tasks import send_pending_emails_everywhere
from tests.broker import broker  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: on_commit runs at once


def test_an_email_queued_with_the_broker_down_is_sent_once_by_the_sweep(
    organizations,
    broker,  # noqa: F811
    caplog,
):
    with broker.down(), transaction.atomic():
        email_id = email_send(to=["john@example.com"], subject="Welcome", body="-")

    assert "broker unreachable: apps.core.tasks.send_email" in caplog.text
    assert OutgoingEmail.objects.get(pk=email_id).sent_at is None
    send_pending_emails_everywhere.delay(schema_name="public")
    assert mail.outbox == []  # too early: the task may still be on its way
    OutgoingEmail.objects.filter(pk=email_id).update(created_at=F("created_at") - PENDING_AFTER)
    send_pending_emails_everywhere.delay(schema_name="public")
    send_pending_emails_everywhere.delay(schema_name="public")

    assert [message.subject for message in mail.outbox] == ["Welcome"]
    assert OutgoingEmail.objects.get(pk=email_id).sent_at is not None
