from celery import shared_task

from apps.core import emails
from apps.core.celery import SchemaTask


@shared_task(base=SchemaTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, schema_name: str, email_id: int) -> bool:
    return emails.email_deliver(email_id=email_id)


@shared_task(base=SchemaTask)
def send_pending_emails(*, schema_name: str) -> int:
    """Send again this schema's e-mails whose task was lost (at least once: the row decides)."""
    pending = emails.emails_pending()
    for email_id in pending:
        send_email.delay(schema_name=schema_name, email_id=email_id)
    return len(pending)
