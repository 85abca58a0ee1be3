from celery import shared_task

from apps.core.celery import SchemaTask
from apps.core.tasks import send_pending_emails
from apps.tenancy import selectors, services


@shared_task(base=SchemaTask)
def provision_organization(*, schema_name: str, organization_id: int) -> str:
    return services.organization_provision(organization_id=organization_id).status


@shared_task(base=SchemaTask)
def retry_stalled_provisioning(*, schema_name: str) -> list[int]:
    return services.provisioning_retry_stalled()


@shared_task(base=SchemaTask)
def clear_expired_sessions(*, schema_name: str) -> None:
    services.sessions_clear_expired()


@shared_task(base=SchemaTask)
def clear_expired_sessions_everywhere(*, schema_name: str) -> int:
    """Fan out one session clean-up per live schema (each schema has its own session table)."""
    schemas = services.live_schema_names()
    for name in schemas:
        clear_expired_sessions.delay(schema_name=name)
    return len(schemas)


@shared_task(base=SchemaTask)
def send_pending_emails_everywhere(*, schema_name: str) -> int:
    """Fan out one sweep of e-mails whose task was lost per live schema (apps.core.emails)."""

    schemas = services.live_schema_names()
    for name in schemas:
        send_pending_emails.delay(schema_name=name)
    return len(schemas)


@shared_task(base=SchemaTask)
def verify_custom_domain(*, schema_name: str, domain_id: int) -> bool:
    domain = services.custom_domain_verify(domain_id=domain_id)
    return domain is not None and domain.verified_at is not None


@shared_task(base=SchemaTask)
def verify_pending_custom_domains(*, schema_name: str) -> int:
    """Fan out one check per unverified custom domain of every organization (domains are
    public rows: one schema, the public one, holds them all)."""
    pending = selectors.custom_domains_pending_ids()
    for domain_id in pending:
        verify_custom_domain.delay(schema_name=schema_name, domain_id=domain_id)
    return len(pending)


@shared_task(base=SchemaTask)
def release_unverified_custom_domains(*, schema_name: str) -> list[str]:
    """Beat, in the public schema (domains are public rows): free unverified names."""
    return services.custom_domains_release_unverified()
