"""Test organizations: schemas cloned once per session, rows ensured per test.

Schemas survive test transactions only if made outside them, so they are cloned once
with the blocker lifted. Rows are (re)created per test because transactional tests
flush every public table, organizations and domains included.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_exists

from apps.tenancy import services
from apps.tenancy.models import Domain, Organization


@dataclass(frozen=True)
class TestTenant:
    name: str
    slug: str
    organizer_slug: str

    @property
    def schema_name(self) -> str:
        return services.schema_name_for(self.slug)

    @property
    def host(self) -> str:
        return services.platform_host_for(self.slug)

    @property
    def organizer_host(self) -> str:
        return services.platform_host_for(self.organizer_slug)


ALPHA = TestTenant(name="Alpha parks", slug="alpha", organizer_slug="alpha-park")
BETA = TestTenant(name="Beta club", slug="beta", organizer_slug="beta-club")
TEST_TENANTS = (ALPHA, BETA)


def clone_schemas() -> None:
    for tenant in TEST_TENANTS:
        if not schema_exists(tenant.schema_name):
            with transaction.atomic():
                services._clone_schema(template=settings.TENANT_BASE_SCHEMA, target=tenant.schema_name)


def ensure_rows() -> dict[str, Organization]:
    """The public organization and the test organizations with their domains."""
    connection.set_schema_to_public()
    Organization.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Platform", "slug": "platform", "status": Organization.Status.READY},
    )
    organizations = {}
    for tenant in TEST_TENANTS:
        organization, _created = Organization.objects.get_or_create(
            schema_name=tenant.schema_name,
            defaults={"name": tenant.name, "slug": tenant.slug, "status": Organization.Status.READY},
        )
        Domain.objects.get_or_create(
            domain=tenant.host, defaults={"tenant": organization, "is_primary": True}
        )
        Domain.objects.get_or_create(
            domain=tenant.organizer_host,
            defaults={"tenant": organization, "is_primary": False, "organizer_slug": tenant.organizer_slug},
        )
        organizations[tenant.slug] = organization
    return organizations
