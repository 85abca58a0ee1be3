"""Cache keys, files, e-mails and tasks each know their schema."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_context

from apps.core.celery import WrongSchemaError
from apps.core.emails import email_send
from apps.core.models import OutgoingEmail
from apps.tenancy.tasks import clear_expired_sessions
from tests.tenants import ALPHA, BETA


def test_cache_keys_carry_the_schema(alpha, beta):
    with schema_context(alpha.schema_name):
        cache.set("basket", "alpha's")
    with schema_context(beta.schema_name):
        assert cache.get("basket") is None
        cache.set("basket", "beta's")
    with schema_context(alpha.schema_name):
        assert cache.get("basket") == "alpha's"
        assert cache.make_key("basket").startswith(f"{ALPHA.schema_name}:")


def test_files_are_stored_under_the_organizations_own_folder(alpha, beta):
    with schema_context(alpha.schema_name):
        name = default_storage.save("logos/logo.txt", ContentFile(b"alpha"))
        path = Path(default_storage.path(name))
    with schema_context(beta.schema_name):
        assert not default_storage.exists(name)

    assert path.parent.parent == Path(settings.MEDIA_ROOT) / ALPHA.schema_name
    assert path.read_bytes() == b"alpha"
    path.unlink()


def test_email_is_sent_after_commit_by_a_task_in_the_senders_schema(
    alpha, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema_name), django_capture_on_commit_callbacks() as callbacks:
        email_send(to=["john@example.com"], subject="Your tickets", body="Enjoy")
        assert mail.outbox == []  # nothing leaves before the commit

    with schema_context(BETA.schema_name):  # whoever runs the callback, the task knows its schema
        for callback in callbacks:
            callback()

    assert [message.subject for message in mail.outbox] == ["Your tickets"]


def test_email_remembers_the_schema_it_was_queued_in(alpha, beta, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, schema_context(alpha.schema_name):
        email_id = email_send(to=["john@example.com"], subject="From alpha", body="-")

    with schema_context(beta.schema_name):  # the transaction commits while in another schema
        for callback in callbacks:
            callback()

    with schema_context(alpha.schema_name):  # the task ran in alpha: its row is alpha's
        assert OutgoingEmail.objects.get(pk=email_id).sent_at is not None
    with schema_context(beta.schema_name):
        assert not OutgoingEmail.objects.filter(sent_at__isnull=False).exists()
    assert [message.subject for message in mail.outbox] == ["From alpha"]


def test_an_email_task_delivered_twice_sends_once_whatever_the_cache_forgot(
    in_alpha, django_capture_on_commit_callbacks
):
    from apps.core.tasks import send_email

    with django_capture_on_commit_callbacks(execute=True):
        email_id = email_send(to=["john@example.com"], subject="Once", body="Only once")
    cache.clear()  # Redis flushed or lost: nothing there says the e-mail went

    assert send_email.delay(schema_name=ALPHA.schema_name, email_id=email_id).result is False
    assert len(mail.outbox) == 1


def test_an_email_whose_sending_fails_is_sent_by_the_next_try(in_alpha, settings):
    from apps.core.emails import email_deliver

    email_id = email_send(to=["john@example.com"], subject="Later", body="-")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # no mail server listens there
    with pytest.raises(ConnectionRefusedError):
        email_deliver(email_id=email_id)
    assert OutgoingEmail.objects.get(pk=email_id).sent_at is None  # rolled back with the failure
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert email_deliver(email_id=email_id) is True
    assert [message.subject for message in mail.outbox] == ["Later"]


def test_tasks_refuse_to_be_sent_without_their_schema(alpha):
    with pytest.raises(TypeError, match="schema_name"):
        clear_expired_sessions.delay()


def test_a_task_runs_in_the_schema_it_names(alpha, beta):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expired = timezone.now() - timezone.timedelta(days=1)
    for schema_name in (ALPHA.schema_name, BETA.schema_name):
        with schema_context(schema_name):
            Session.objects.create(session_key=f"old-{schema_name}", session_data="", expire_date=expired)

    clear_expired_sessions.delay(schema_name=ALPHA.schema_name)

    with schema_context(ALPHA.schema_name):
        assert not Session.objects.exists()
    with schema_context(BETA.schema_name):
        assert Session.objects.count() == 1
    assert connection.schema_name == "public"


def test_a_task_whose_headers_name_another_schema_refuses_to_run(alpha, beta):
    with pytest.raises(WrongSchemaError):
        clear_expired_sessions.apply(
            kwargs={"schema_name": ALPHA.schema_name}, headers={"_schema_name": BETA.schema_name}
        )


def test_healthz_reports_an_unreachable_redis_with_503(client, organizations):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz", HTTP_HOST="localhost")

    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["redis"].startswith("error")


def test_the_periodic_session_cleanup_fans_out_to_every_live_schema(alpha, beta):
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from apps.tenancy.tasks import clear_expired_sessions_everywhere

    entry = settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]
    assert entry["task"] == clear_expired_sessions_everywhere.name
    expired = timezone.now() - timezone.timedelta(days=1)
    for schema_name in ("public", ALPHA.schema_name, BETA.schema_name):
        with schema_context(schema_name):
            Session.objects.create(session_key="stale", session_data="", expire_date=expired)

    clear_expired_sessions_everywhere.apply_async(kwargs=entry["kwargs"])

    for schema_name in ("public", ALPHA.schema_name, BETA.schema_name):
        with schema_context(schema_name):
            assert not Session.objects.exists()
