from celery import shared_task

from apps.core.celery import SchemaTask
from apps.payments import services
from apps.tenancy.services import live_schema_names


@shared_task(base=SchemaTask)
def refund_due(*, schema_name: str) -> int:
    return services.payments_refund_due_settle()


@shared_task(base=SchemaTask)
def refund_due_everywhere(*, schema_name: str) -> int:
    """Fan out one run per live schema (the public one too: clients' invoice payments)."""
    schemas = live_schema_names()
    for name in schemas:
        refund_due.delay(schema_name=name)
    return len(schemas)
