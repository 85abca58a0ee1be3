from celery import shared_task

from apps.core.celery import SchemaTask
from apps.platform.services import signup


@shared_task(base=SchemaTask)
def provision_signup(*, schema_name: str, signup_id: str) -> str:
    """Set up a client's signed-up site (routed to the provisioning queue)."""
    return signup.client_signup_provision(signup_id=signup_id).status


@shared_task(base=SchemaTask)
def provision_stalled_signups(*, schema_name: str) -> list[str]:
    """Periodic: provision again the signups whose task was lost (safe: provisioning is
    idempotent and locks the signup)."""
    stalled = signup.client_signups_stalled()
    for signup_id in stalled:
        provision_signup.delay(schema_name=schema_name, signup_id=signup_id)
    return stalled
