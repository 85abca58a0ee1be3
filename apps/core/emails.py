"""Outgoing e-mail: queued on commit to a Celery task that runs in the sender's schema."""

import uuid

from django.db import connection, transaction


def email_send(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> str:
    """Queue an e-mail, sent once the current transaction commits; returns its message id."""
    from apps.core.tasks import send_email

    message_id = uuid.uuid4().hex
    schema_name = connection.schema_name  # now: by commit time the connection may be elsewhere
    transaction.on_commit(
        lambda: send_email.delay(
            schema_name=schema_name,
            message_id=message_id,
            to=to,
            subject=subject,
            body=body,
            html_body=html_body,
            from_email=from_email,
            reply_to=reply_to or [],
        )
    )
    return message_id


def email_deliver(
    *,
    message_id: str,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bool:
    """Send now unless this message id was already sent (tasks may be delivered twice).
    `attachments`: (file name, content, MIME type), made by the task that sends, never queued."""
    from django.core.cache import cache
    from django.core.mail import EmailMultiAlternatives

    sent_key = f"email-sent:{message_id}"
    if cache.get(sent_key):
        return False
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, reply_to=reply_to or None
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
    cache.set(sent_key, 1, timeout=60 * 60 * 24 * 7)
    return True
