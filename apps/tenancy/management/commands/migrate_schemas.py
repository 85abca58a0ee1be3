"""migrate_schemas that also migrates the template schema new organizations are cloned from.

django-tenants only migrates schemas that have a tenant row; the template has none, so a
plain migrate would leave it behind and every later clone would miss the new columns.
"""

from django.conf import settings
from django.db import connection
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor
from django_tenants.utils import get_public_schema_name, get_tenant_model


class Command(MigrateSchemasCommand):
    def handle(self, *args, **options):
        # SyncCommon parses --shared/--tenant/--schema into self.sync_public etc.
        super(MigrateSchemasCommand, self).handle(*args, **options)
        public = get_public_schema_name()
        template = settings.TENANT_BASE_SCHEMA
        executor = get_executor(codename=self.executor)(self.args, self.options)

        if self.sync_public or self.schema_name == public:
            executor.run_migrations(tenants=[public])
        if not self.sync_tenant or self.schema_name == public:
            return
        if self.schema_name:
            if self.schema_name == template:
                _create_schema_if_missing(template)
            executor.run_migrations(tenants=[self.schema_name])
            return
        _create_schema_if_missing(template)
        executor.run_migrations(tenants=[template, *_organization_schemas(exclude=public)])


def _create_schema_if_missing(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')


def _organization_schemas(*, exclude: str) -> list[str]:
    """Schemas of organizations that have one (pending or failed ones may not)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        existing = {row[0] for row in cursor.fetchall()}
    names = get_tenant_model().objects.exclude(schema_name=exclude).order_by("schema_name")
    return [name for name in names.values_list("schema_name", flat=True) if name in existing]
