"""Creating organizations: a pending row + domain, then its schema cloned from a template."""

import re

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.clone import CloneSchema
from django_tenants.utils import get_public_schema_name, schema_exists

from apps.tenancy.exceptions import ProvisioningError, SlugUnavailable
from apps.tenancy.models import Domain, Organization

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,48}[a-z0-9]$")
# Serialises clones: clone_schema() re-creates a shared SQL function each time.
_CLONE_LOCK_KEY = 0x7E55E4A


def platform_host_for(slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def slug_check_available(slug: str) -> None:
    """Raise SlugUnavailable with the reason when `slug` cannot name a new organization."""
    if not SLUG_PATTERN.match(slug):
        raise SlugUnavailable(
            slug,
            _(
                "Use 3 to 50 lowercase letters, digits and hyphens, starting with a letter "
                "and not ending with a hyphen."
            ),
        )
    if (
        slug in settings.RESERVED_SLUGS
        or slug.startswith("pg")
        or schema_name_for(slug)
        in {
            get_public_schema_name(),
            settings.TENANT_BASE_SCHEMA,
        }
    ):
        raise SlugUnavailable(slug, _("“%(slug)s” is reserved.") % {"slug": slug})
    taken = (
        Organization.objects.filter(slug=slug).exists()
        or Organization.objects.filter(schema_name=schema_name_for(slug)).exists()
        or Domain.objects.filter(domain=platform_host_for(slug)).exists()
    )
    if taken:
        raise SlugUnavailable(slug, _("“%(slug)s” is already taken.") % {"slug": slug})


@transaction.atomic
def organization_request(*, name: str, slug: str, template_schema: str = "") -> Organization:
    """Record a pending organization and its primary domain; the schema is made by provisioning."""
    slug_check_available(slug)
    organization = Organization.objects.create(
        name=name,
        slug=slug,
        schema_name=schema_name_for(slug),
        template_schema=template_schema or settings.TENANT_BASE_SCHEMA,
        status=Organization.Status.PENDING,
    )
    Domain.objects.create(domain=platform_host_for(slug), tenant=organization, is_primary=True)
    return organization


def organization_request_async(*, name: str, slug: str, template_schema: str = "") -> Organization:
    """Record a pending organization and provision it in the background once committed."""
    from apps.tenancy.tasks import provision_organization

    with transaction.atomic():
        organization = organization_request(name=name, slug=slug, template_schema=template_schema)
        provision_organization.delay_on_commit(
            schema_name=get_public_schema_name(), organization_id=organization.pk
        )
    return organization


def organization_provision(*, organization_id: int) -> Organization:
    """Clone the template into the organization's schema and mark it live.

    Idempotent: a live organization is returned untouched. DDL is transactional in
    PostgreSQL, so a failure rolls the half-made schema back and records why.
    """
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization_id)
        if organization.is_ready:
            return organization
        template = organization.template_schema or settings.TENANT_BASE_SCHEMA
        try:
            with transaction.atomic():
                _clone_schema(template=template, target=organization.schema_name)
        except Exception as exc:  # noqa: BLE001 - the reason is recorded for the operator
            organization.status = Organization.Status.FAILED
            organization.failure_reason = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            organization.status = Organization.Status.READY
            organization.failure_reason = ""
            organization.provisioned_at = timezone.now()
        organization.save(update_fields=["status", "failure_reason", "provisioned_at"])
    return organization


def organization_create(*, name: str, slug: str, template_schema: str = "") -> Organization:
    """Request and provision in one go (management commands, seeding, tests)."""
    organization = organization_request(name=name, slug=slug, template_schema=template_schema)
    organization = organization_provision(organization_id=organization.pk)
    if not organization.is_ready:
        raise ProvisioningError(organization.failure_reason)
    return organization


def domain_add(
    *, organization: Organization, domain: str, organizer_slug: str = "", is_primary: bool = False
) -> Domain:
    return Domain.objects.create(
        domain=domain.lower().strip(),
        tenant=organization,
        organizer_slug=organizer_slug,
        is_primary=is_primary,
    )


def provisioning_retry_stalled(*, older_than_seconds: int = 300) -> list[int]:
    """Provision again organizations left pending (e.g. a lost message); returns their ids."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    stalled = list(
        Organization.objects.filter(status=Organization.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for organization_id in stalled:
        organization_provision(organization_id=organization_id)
    return stalled


def _clone_schema(*, template: str, target: str) -> None:
    if not schema_exists(template):
        raise ProvisioningError(
            _("Template schema “%(schema)s” does not exist; run migrate_schemas.") % {"schema": template}
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLONE_LOCK_KEY])
    CloneSchema().clone_schema(template, target, "DATA")
    connection.set_schema_to_public()
    _align_constraint_names(template=template, target=target)


# clone_schema() recreates unique constraints under PostgreSQL's default names; later
# migrations drop constraints by Django's names, so give the clone the template's names.
_MISNAMED_CONSTRAINTS_SQL = """
SELECT target_table.relname, target_con.conname, template_con.conname
FROM pg_constraint target_con
JOIN pg_class target_table ON target_table.oid = target_con.conrelid
JOIN pg_namespace target_ns ON target_ns.oid = target_table.relnamespace AND target_ns.nspname = %(target)s
JOIN pg_class template_table ON template_table.relname = target_table.relname
JOIN pg_namespace template_ns ON template_ns.oid = template_table.relnamespace AND template_ns.nspname = %(template)s
JOIN pg_constraint template_con ON template_con.conrelid = template_table.oid
    AND template_con.contype = target_con.contype
    AND pg_get_constraintdef(template_con.oid) = pg_get_constraintdef(target_con.oid)
WHERE target_con.contype IN ('u', 'p', 'x') AND target_con.conname <> template_con.conname
"""


def _align_constraint_names(*, template: str, target: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_MISNAMED_CONSTRAINTS_SQL, {"template": template, "target": target})
        for table, cloned_name, template_name in cursor.fetchall():
            cursor.execute(
                f"ALTER TABLE {_quote(target)}.{_quote(table)} "
                f"RENAME CONSTRAINT {_quote(cloned_name)} TO {_quote(template_name)}"
            )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def live_schema_names() -> list[str]:
    """The public schema and every live organization's schema."""
    return [get_public_schema_name()] + list(
        Organization.objects.filter(status=Organization.Status.READY)
        .exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def sessions_clear_expired() -> int:
    """Delete expired sessions of the current schema."""
    from django.contrib.sessions.models import Session

    deleted, _rows = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
