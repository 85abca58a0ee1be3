"""Outgoing e-mail: a row written in the sender's transaction, sent after the commit by a
Celery task that runs in the sender's schema; the row says whether it went."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.core.models import OutgoingEmail
from apps.core.schemas import current_schema


def email_send(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> int:
    """Queue an e-mail, sent once the current transaction commits; returns its row's id."""
    from apps.core.tasks import send_email  # core.tasks imports this module: a cycle at load

    email = OutgoingEmail.objects.create(
        to=list(to),
        subject=subject,
        body=body,
        html_body=html_body,
        from_email=from_email or "",
        reply_to=list(reply_to or []),
    )
    schema_name = current_schema()  # now: by commit time the connection may be elsewhere
    send_email.delay_on_commit(schema_name=schema_name, email_id=email.pk)
    return email.pk


# A side effect whose row is still unsent this long after it was written lost its task (the
# broker was down at the commit, or Redis lost its queue): its sweep sends it again. Younger
# ones are left to the task on its way; older than the horizon, nobody waits for them.
PENDING_AFTER = timedelta(minutes=2)
PENDING_HORIZON = timedelta(days=7)


def pending_window() -> tuple[datetime, datetime]:
    """(since, until): rows written then and still unsent are what a sweep sends again."""
    now = timezone.now()
    return now - PENDING_HORIZON, now - PENDING_AFTER


def emails_pending() -> list[int]:
    """The current schema's queued e-mails whose task was lost, oldest first."""

    since, until = pending_window()
    return list(
        OutgoingEmail.objects.filter(sent_at=None, created_at__range=(since, until))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def email_deliver(*, email_id: int) -> bool:
    """Send a queued e-mail unless its row says it went (tasks may be delivered twice);
    returns whether it sent. The row stays locked while sending: a second task waits."""

    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id, sent_at=None).first()
        if email is None:
            return False
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at"])
        message_send(
            to=email.to,
            subject=email.subject,
            body=email.body,
            html_body=email.html_body,
            from_email=email.from_email or None,
            reply_to=email.reply_to,
        )
    return True


def message_send(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Send now. Once only is the caller's: it sends inside the transaction that marks its
    row sent (an outgoing e-mail, an order's confirmation, an invoice), which a failed send
    rolls back. `attachments`: (file name, content, MIME type)."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, reply_to=reply_to or None
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
