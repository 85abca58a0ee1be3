from celery import shared_task

from apps.core import emails
from apps.core.celery import SchemaTask


@shared_task(base=SchemaTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, schema_name: str, email_id: int) -> bool:
    return emails.email_deliver(email_id=email_id)
