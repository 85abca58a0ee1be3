from celery import shared_task

from apps.core.celery import SchemaTask
from apps.platform import services


@shared_task(base=SchemaTask)
def provision_signup(*, schema_name: str, signup_id: str) -> str:
    """Set up a client's signed-up site (routed to the provisioning queue)."""
    return services.client_signup_provision(signup_id=signup_id).status
