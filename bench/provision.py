"""Provisioning benchmark (shared/BENCH.md "provision").

Provisions N organizations sequentially by cloning the template schema (with organizer,
operator and domain), then N by replaying every migration, prints seconds per organization
(min / median / max) and the time of a no-op migrate_schemas over all organizations, writes
bench/results/provision.json, and removes everything it created.

    .venv/bin/python bench/provision.py [-n 20]
"""

import argparse
import json
import statistics
import time

import _django

_django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from apps.accounts.services import user_create  # noqa: E402
from apps.organizers.services import organizer_create  # noqa: E402
from apps.tenancy import services  # noqa: E402
from apps.tenancy.models import Organization  # noqa: E402
from apps.tenancy.selectors import routes_changed  # noqa: E402

PREFIX = "bench-prov"


def _populate(organization: Organization, slug: str) -> None:
    with schema_context(organization.schema_name):
        organizer_create(name=f"Organizer {slug}", slug=f"{slug}-org", currency="EUR", country="NL")
        user_create(email=f"operator@{slug}.example", password=None, is_operator=True, email_verified=True)
    services.domain_add(organization=organization, domain=services.platform_host_for(f"{slug}-org"))


def by_clone(slug: str) -> float:
    started = time.perf_counter()
    organization = services.organization_create(name=slug, slug=slug)
    _populate(organization, slug)
    return time.perf_counter() - started


def by_migrations(slug: str) -> float:
    started = time.perf_counter()
    with transaction.atomic():
        organization = services.organization_request(name=slug, slug=slug)
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{organization.schema_name}"')
        call_command("migrate_schemas", schema_name=organization.schema_name, interactive=False, verbosity=0)
        connection.set_schema_to_public()
        Organization.objects.filter(pk=organization.pk).update(status=Organization.Status.READY)
        routes_changed()
    _populate(organization, slug)
    return time.perf_counter() - started


def cleanup() -> None:
    connection.set_schema_to_public()
    doomed = Organization.objects.filter(slug__startswith=PREFIX)
    with connection.cursor() as cursor:
        for schema_name in doomed.values_list("schema_name", flat=True):
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
    doomed.delete()
    routes_changed()


def summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "min_s": round(min(samples), 3),
        "median_s": round(statistics.median(samples), 3),
        "max_s": round(max(samples), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=20, help="organizations per method (default 20)")
    args = parser.parse_args()

    cleanup()
    try:
        clone, migrations = [], []
        for i in range(args.n):
            clone.append(by_clone(f"{PREFIX}-c{i}"))
            print(f"clone {i + 1}/{args.n}: {clone[-1]:.3f} s", flush=True)
        for i in range(args.n):
            migrations.append(by_migrations(f"{PREFIX}-m{i}"))
            print(f"migrations {i + 1}/{args.n}: {migrations[-1]:.3f} s", flush=True)
        organizations = Organization.objects.exclude(schema_name="public").count()
        started = time.perf_counter()
        call_command("migrate_schemas", interactive=False, verbosity=0)
        noop_migrate = time.perf_counter() - started
    finally:
        cleanup()

    results = {
        "by_clone": summary(clone),
        "by_migrations": summary(migrations),
        "noop_migrate_schemas": {"organizations": organizations, "seconds": round(noop_migrate, 3)},
    }
    print()
    print(
        _django.markdown_table(
            ["method", "N", "min s", "median s", "max s"],
            [
                ["clone template", *results["by_clone"].values()],
                ["replay migrations", *results["by_migrations"].values()],
            ],
        )
    )
    print()
    print(f"no-op migrate_schemas over {organizations} organizations + template: {noop_migrate:.2f} s")
    _django.RESULTS.mkdir(parents=True, exist_ok=True)
    (_django.RESULTS / "provision.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
