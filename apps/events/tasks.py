from celery import shared_task

from apps.core.celery import SchemaTask
from apps.events import services


@shared_task(base=SchemaTask)
def release_held_replications(*, schema_name: str, operator_id: int) -> int:
    return len(services.replications_release(operator_id=operator_id))
