from celery import shared_task

from apps.core.celery import SchemaTask
from apps.events import services
from apps.tenancy.services import live_schema_names


@shared_task(base=SchemaTask)
def release_held_replications(*, schema_name: str, operator_id: int) -> int:
    return len(services.replications_release(operator_id=operator_id))


@shared_task(base=SchemaTask, time_limit=30 * 60, soft_time_limit=29 * 60)
def run_replication(*, schema_name: str, request_id: int) -> str | None:
    """Create a queued replication's dates, batch by batch (progress on the request)."""
    request = services.replication_run(request_id=request_id)
    return request.status if request is not None else None


@shared_task(base=SchemaTask)
def resume_stalled_replications(*, schema_name: str) -> list[int]:
    return services.replications_resume_stalled()


@shared_task(base=SchemaTask)
def resume_stalled_replications_everywhere(*, schema_name: str) -> int:
    """Beat, in the public schema: one sweep per live organization schema (events live there
    only)."""
    schemas = [name for name in live_schema_names() if name != schema_name]
    for name in schemas:
        resume_stalled_replications.delay(schema_name=name)
    return len(schemas)
