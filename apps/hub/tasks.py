from celery import shared_task

from apps.core.celery import SchemaTask
from apps.hub import services


@shared_task(base=SchemaTask)
def rebuild_hub(*, schema_name: str) -> int:
    """Nightly: past dates leave the index and next dates move along."""
    total, _organizations, _forgotten = services.hub_rebuild()
    return total
