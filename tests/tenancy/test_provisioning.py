import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from apps.organizers.models import Organizer
from apps.tenancy import services
from apps.tenancy.exceptions import SlugUnavailable
from apps.tenancy.models import Domain, Organization


def _columns(schema_name: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name, data_type, is_nullable, character_maximum_length
            FROM information_schema.columns WHERE table_schema = %s
            """,
            [schema_name],
        )
        return set(cursor.fetchall())


def _indexes(schema_name: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, replace(indexdef, %s, '') FROM pg_indexes WHERE schemaname = %s",
            [f"{schema_name}.", schema_name],
        )
        return set(cursor.fetchall())


def _constraints(schema_name: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT cls.relname, con.conname, con.contype, replace(pg_get_constraintdef(con.oid), %s, '')
            FROM pg_constraint con
            JOIN pg_class cls ON cls.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = cls.relnamespace
            WHERE ns.nspname = %s
            """,
            [f"{schema_name}.", schema_name],
        )
        return set(cursor.fetchall())


def _migrations(schema_name: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')
        return set(cursor.fetchall())


def test_cloned_organization_has_every_table_and_column_of_a_migrated_one(organizations):
    # Given a schema built the slow way, by running every tenant migration
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "by_migrations"')
    call_command("migrate_schemas", schema_name="by_migrations", interactive=False, verbosity=0)

    # When an organization is provisioned by cloning the template
    organization = services.organization_create(name="Gamma", slug="gamma")

    # Then both schemas are alike: tables, columns, indexes, applied migrations
    migrated, cloned = "by_migrations", organization.schema_name
    assert len(_columns(migrated)) > 50
    assert _columns(cloned) == _columns(migrated)
    assert _indexes(cloned) == _indexes(migrated)
    assert _constraints(cloned) == _constraints(migrated)
    assert _migrations(cloned) == _migrations(migrated)


def test_migrate_schemas_keeps_the_template_schema_migrated(db):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{settings.TENANT_BASE_SCHEMA}" CASCADE')

    call_command("migrate_schemas", interactive=False, verbosity=0)

    assert schema_exists(settings.TENANT_BASE_SCHEMA)
    assert ("organizers", "0001_initial") in _migrations(settings.TENANT_BASE_SCHEMA)
    assert ("accounts", "0001_initial") in _migrations(settings.TENANT_BASE_SCHEMA)


def test_request_records_a_pending_organization_with_its_domain(organizations):
    organization = services.organization_request(name="Gamma", slug="gamma")

    assert organization.status == Organization.Status.PENDING
    assert organization.schema_name == "gamma"
    assert not schema_exists("gamma")
    assert Domain.objects.get(tenant=organization).domain == "gamma.localhost"


def test_provisioning_clones_the_schema_and_marks_it_live(organizations):
    organization = services.organization_request(name="Gamma parks", slug="gamma-parks")

    organization = services.organization_provision(organization_id=organization.pk)

    assert organization.status == Organization.Status.READY
    assert organization.provisioned_at is not None
    assert schema_exists("gamma_parks")
    with schema_context("gamma_parks"):
        assert Organizer.objects.count() == 0


def test_provisioning_twice_changes_nothing(organizations):
    organization = services.organization_create(name="Gamma", slug="gamma")
    first_live_at = organization.provisioned_at

    again = services.organization_provision(organization_id=organization.pk)

    assert again.status == Organization.Status.READY
    assert again.provisioned_at == first_live_at


def test_a_failed_clone_is_recorded_and_leaves_no_schema(organizations):
    organization = services.organization_request(
        name="Gamma", slug="gamma", template_schema="no_such_template"
    )

    organization = services.organization_provision(organization_id=organization.pk)

    assert organization.status == Organization.Status.FAILED
    assert "no_such_template" in organization.failure_reason
    assert not schema_exists("gamma")


def test_a_clone_that_fails_half_way_is_rolled_back(organizations):
    # Given a template whose rows break a constraint added NOT VALID: the clone creates
    # the tables, then fails while copying the rows.
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA broken_template")
        cursor.execute("CREATE TABLE broken_template.a_table (id int)")
        # a table whose rows a clone copies (apps.tenancy.services.TEMPLATE_ROWS)
        cursor.execute("CREATE TABLE broken_template.django_migrations (amount int)")
        cursor.execute("INSERT INTO broken_template.django_migrations VALUES (-1)")
        cursor.execute(
            "ALTER TABLE broken_template.django_migrations ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID"
        )
    organization = services.organization_request(
        name="Delta", slug="delta", template_schema="broken_template"
    )

    organization = services.organization_provision(organization_id=organization.pk)

    assert organization.status == Organization.Status.FAILED
    assert 'violates check constraint "positive"' in organization.failure_reason
    assert not schema_exists("delta")


def test_failure_when_the_schema_name_is_taken_keeps_the_existing_schema(organizations):
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "gamma"')
        cursor.execute('CREATE TABLE "gamma".precious (id int)')
    organization = services.organization_request(name="Gamma", slug="gamma")

    organization = services.organization_provision(organization_id=organization.pk)

    assert organization.status == Organization.Status.FAILED
    assert "already exists" in organization.failure_reason
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('gamma.precious')")
        assert cursor.fetchone()[0] is not None


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("www", "reserved"),
        ("platform", "reserved"),
        ("admin", "reserved"),
        ("pg-stuff", "reserved"),
        ("tenant-template", "reserved"),
        ("Bad Slug", "lowercase"),
        ("a", "lowercase"),
        ("ends-", "lowercase"),
        ("alpha", "taken"),
    ],
)
def test_unavailable_slugs_are_refused_with_the_reason(organizations, slug, reason):
    with pytest.raises(SlugUnavailable, match=reason):
        services.organization_request(name="Whatever", slug=slug)


def test_create_organization_command_prints_progress_and_the_address(organizations):
    out = io.StringIO()

    call_command("create_organization", "Epsilon events", stdout=out)

    output = out.getvalue()
    assert "[1/2]" in output
    assert "[2/2]" in output
    assert "http://epsilon-events.localhost/" in output
    assert Organization.objects.get(slug="epsilon-events").status == Organization.Status.READY


def test_create_organization_command_reports_bad_input_clearly(organizations):
    with pytest.raises(CommandError, match="already taken"):
        call_command("create_organization", "Alpha again", slug="alpha", stdout=io.StringIO())


def test_retry_provisions_organizations_left_pending(organizations):
    organization = services.organization_request(name="Gamma", slug="gamma")
    Organization.objects.filter(pk=organization.pk).update(
        created_at=organization.created_at - services.timezone.timedelta(minutes=10)
    )

    retried = services.provisioning_retry_stalled()

    assert retried == [organization.pk]
    organization.refresh_from_db()
    assert organization.status == Organization.Status.READY
