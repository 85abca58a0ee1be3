"""Creating organizations (a pending row + domain, then its schema cloned from a template);
clients' own domains (added, verified by a DNS TXT record, removed)."""

import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dns.exception
import dns.name
import dns.resolver
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from apps.core.audit import Actor, audit_log
from apps.core.singletons import singleton_update
from apps.tenancy.exceptions import ProvisioningError, SlugUnavailable
from apps.tenancy.models import Domain, HostSettings, Organization
from apps.tenancy.selectors import (
    custom_domains_to_release_ids,
    host_settings_forget,
    platform_base_domain,
    platform_host_for,
    routes_changed,
    verification_record_name,
)

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,48}[a-z0-9]$")


def host_settings_update(*, changes: Mapping[str, Any]) -> HostSettings:
    """Write the given host settings (base domain, name servers), validated, in the caller's
    transaction; the cached base domain is dropped once it commits. The caller audits."""
    with transaction.atomic():
        hosts = singleton_update(HostSettings, changes=changes)
        transaction.on_commit(host_settings_forget)
    return hosts


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
def organization_request(
    *, name: str, slug: str, template_schema: str = "", is_template: bool = False
) -> Organization:
    """Record a pending organization and its primary domain; the schema is made by provisioning.
    A template site (`is_template`) is kept to be cloned and is not served to the public."""
    slug_check_available(slug)
    organization: Organization = Organization.objects.create(
        name=name,
        slug=slug,
        schema_name=schema_name_for(slug),
        template_schema=template_schema or settings.TENANT_BASE_SCHEMA,
        status=Organization.Status.PENDING,
        is_template=is_template,
    )
    Domain.objects.create(domain=platform_host_for(slug), tenant=organization, is_primary=True)
    routes_changed()
    return organization


def organization_request_async(
    *, name: str, slug: str, template_schema: str = "", is_template: bool = False
) -> Organization:
    """Record a pending organization and provision it in the background once committed."""
    from apps.tenancy.tasks import provision_organization  # tasks import these services: a cycle at load

    with transaction.atomic():
        organization = organization_request(
            name=name, slug=slug, template_schema=template_schema, is_template=is_template
        )
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
        organization: Organization = Organization.objects.select_for_update().get(pk=organization_id)
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
        routes_changed()  # live from now on (or not)
    return organization


def organization_create(
    *, name: str, slug: str, template_schema: str = "", is_template: bool = False
) -> Organization:
    """Request and provision in one go (management commands, seeding, tests)."""
    organization = organization_request(
        name=name, slug=slug, template_schema=template_schema, is_template=is_template
    )
    organization = organization_provision(organization_id=organization.pk)
    if not organization.is_ready:
        raise ProvisioningError(organization.failure_reason)
    return organization


@transaction.atomic
def domain_add(
    *, organization: Organization, domain: str, organizer_slug: str = "", is_primary: bool = False
) -> Domain:
    added: Domain = Domain.objects.create(
        domain=domain.lower().strip(),
        tenant=organization,
        organizer_slug=organizer_slug,
        is_primary=is_primary,
    )
    routes_changed()
    return added


@transaction.atomic
def domain_bind_to_organizer(*, domain: Domain, organizer_slug: str) -> Domain:
    """Route the domain to one organizer's storefront (empty: the organization's own)."""
    domain.organizer_slug = organizer_slug
    domain.save(update_fields=["organizer_slug"])
    routes_changed()
    return domain


# --- clients' own domains ----------------------------------------------------------------

HOST_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Seconds one verification lookup may take, all name servers and retries included.
DEFAULT_VERIFICATION_TIMEOUT = 5.0


def custom_domain_normalise(value: str) -> str:
    """The host name as routing compares it: lower case, no root dot, IDNA in ASCII, no www.
    (requests for www.<domain> route as <domain>). Raises ValidationError on the `domain`
    field when it is not a host name with at least two labels."""
    name = value.strip().lower().rstrip(".")
    invalid = ValidationError(
        {"domain": _("Enter a host name only, such as tickets.example.com (no http://, no path).")},
        code="invalid",
    )
    if not name or any(char in name for char in "/:@ \\"):
        raise invalid
    try:
        name = dns.name.from_text(name).to_text(omit_final_dot=True)
    except dns.exception.DNSException:
        raise invalid from None
    name = name.removeprefix("www.")
    labels = name.split(".")
    if not all(HOST_LABEL.match(label) for label in labels):
        raise invalid
    if len(labels) < 2 or labels[-1].isdigit():
        raise ValidationError(
            {"domain": _("Enter a domain you own, such as tickets.example.com.")}, code="invalid"
        )
    return name


def _taken(existing: Domain, *, organization: Organization) -> ValidationError:
    if existing.is_custom and existing.verified_at is None:
        if existing.tenant_id == organization.pk:
            message = _("%(domain)s is already on this page, waiting for its DNS records.")
        else:
            message = _(
                "%(domain)s was added by another site and waits for its DNS records; if the domain "
                "is yours, ask the platform's support to free it."
            )
    else:
        message = _("%(domain)s is already in use by a site.")
    return ValidationError({"domain": message % {"domain": existing.domain}}, code="taken")


def custom_domain_check_free(name: str, *, organization: Organization) -> None:
    """Refuse the platform's own domains and any host already known (routed, or waiting for
    its DNS records)."""
    for platform_domain in {platform_base_domain(), settings.PLATFORM_DOMAIN}:
        if name == platform_domain or name.endswith(f".{platform_domain}"):
            raise ValidationError(
                {
                    "domain": _("%(domain)s belongs to the platform; enter a domain of your own.")
                    % {"domain": name}
                },
                code="platform",
            )
    existing = Domain.objects.filter(domain=name).first()
    if existing is not None:
        raise _taken(existing, organization=organization)


def custom_domain_add(
    *, organization: Organization, organizer_slug: str, domain: str, actor: Actor
) -> Domain:
    """Add a client's own domain for one of its organizers: routed once verified (the TXT
    record `<prefix>.<domain>` holding the new domain's token)."""
    name = custom_domain_normalise(domain)
    custom_domain_check_free(name, organization=organization)
    with transaction.atomic():
        try:
            with transaction.atomic():
                added: Domain = Domain.objects.create(
                    domain=name,
                    tenant=organization,
                    organizer_slug=organizer_slug,
                    is_primary=False,
                    is_custom=True,
                    verification_token=secrets.token_urlsafe(24),
                )
        except IntegrityError:  # added by someone else meanwhile
            raise _taken(Domain.objects.get(domain=name), organization=organization) from None
        routes_changed()  # (not routed before it is verified; dropped like every domain written)
        audit_log(actor=actor, action="custom_domain.added", target=added, organizer=organizer_slug)
    return added


def dns_txt_values(name: str) -> list[str]:
    """The TXT strings at `name`, asked of the configured name servers (the system's when
    none are). Raises dnspython's errors (NXDOMAIN, NoAnswer, Timeout…)."""
    nameservers = list(settings.DOMAIN_VERIFICATION_NAMESERVERS)
    resolver = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        resolver.nameservers = nameservers
    resolver.port = settings.DOMAIN_VERIFICATION_PORT
    resolver.lifetime = getattr(settings, "DOMAIN_VERIFICATION_TIMEOUT", DEFAULT_VERIFICATION_TIMEOUT)
    answer = resolver.resolve(name, "TXT", search=False)
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def _verification_failure(domain: Domain) -> str:
    """What is wrong with the domain's TXT record, as a code that
    apps.tenancy.selectors.CHECK_ERRORS puts in words; empty when it holds the token."""
    try:
        values = dns_txt_values(verification_record_name(domain.domain))
    except dns.resolver.NXDOMAIN:
        return "nxdomain"
    except dns.resolver.NoAnswer:
        return "no_txt"
    except dns.exception.Timeout:
        return "timeout"
    except dns.exception.DNSException:
        return "failed"
    return "" if domain.verification_token in (value.strip() for value in values) else "wrong_value"


def custom_domain_verify(*, domain_id: int, actor: Actor | None = None) -> Domain | None:
    """Look the domain's TXT record up: verified (and routed) when it holds the token, else
    the reason is kept with the time of the check. A verified domain stays verified; a
    removed one gives None."""
    domain: Domain | None = Domain.objects.filter(pk=domain_id, is_custom=True).first()
    if domain is None or domain.verified_at is not None:
        return domain
    failure = _verification_failure(domain)  # the network, outside any transaction
    now = timezone.now()
    changes = {"last_checked_at": now, "last_check_error": failure}
    if not failure:
        changes["verified_at"] = now
    with transaction.atomic():
        # update(): Domain.save() would re-decide the primary domain of the organization.
        updated = Domain.objects.filter(pk=domain_id, verified_at__isnull=True).update(**changes)
        domain = Domain.objects.filter(pk=domain_id).first()
        if updated and not failure:
            routes_changed()  # the domain routes from now on
        if updated and not failure and domain is not None:
            audit_log(actor=actor or Actor(user=None), action="custom_domain.verified", target=domain)
    return domain


def custom_domain_remove(*, organization: Organization, domain_id: int, actor: Actor) -> None:
    """Remove one of the organization's own domains: it stops routing at once."""
    with transaction.atomic():
        domain = Domain.objects.select_for_update().get(pk=domain_id, tenant=organization, is_custom=True)
        audit_log(
            actor=actor,
            action="custom_domain.removed",
            target=domain,
            organizer=domain.organizer_slug,
            was_verified=domain.verified_at is not None,
        )
        domain.delete()
        routes_changed()


def custom_domains_release_unverified() -> list[str]:
    """Remove the custom domains left unverified past CUSTOM_DOMAIN_RELEASE_DAYS, so a name
    nobody proved to own is free again; each release is in its organization's audit log."""
    released = []
    for domain_id in custom_domains_to_release_ids():
        with transaction.atomic():
            domain = (
                Domain.objects.select_for_update(skip_locked=True)
                .select_related("tenant")
                .filter(pk=domain_id, is_custom=True, verified_at__isnull=True)
                .first()
            )
            if domain is None:  # verified or removed meanwhile, or being handled elsewhere
                continue
            with schema_context(domain.tenant.schema_name):
                audit_log(
                    actor=Actor(user=None),
                    action="custom_domain.released",
                    target=domain,
                    organizer=domain.organizer_slug,
                    days=settings.CUSTOM_DOMAIN_RELEASE_DAYS,
                )
            domain.delete()
            routes_changed()
        released.append(domain.domain)
    return released


def provisioning_retry_stalled(*, older_than_seconds: int = 300) -> list[int]:
    """Provision again organizations left pending (e.g. a lost message); returns their ids."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
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
    try:
        _copy_schema(template=template, target=target)
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]  # django-tenants; the copy set search_path itself: forget it
    _align_index_names(template=template, target=target)
    _align_constraint_names(template=template, target=target)


# What a template gives the organizations cloned from it: every table's structure, and the
# rows of these tables only (a table left out starts empty, its ids from 1). Each is mapped
# to the rows copied ("" for all). Never identities, credentials, sessions or sales: users,
# e-mail addresses and confirmations, password hashes, API tokens, sessions, MFA
# authenticators, social accounts, invitations, permission links, organizers (bank details,
# Stripe accounts), events, orders, tickets, payments, outgoing e-mail and the audit log stay
# in the template. A new table is structure only until it is listed here.
TEMPLATE_ROWS: dict[str, str] = {
    # structure: the migrations applied (the copy is at the template's migration), the
    # content types and permissions they made
    "django_migrations": "",
    "django_content_type": "",
    "auth_permission": "",
    # configuration: the organization-wide service fees (rules of no organizer or event)
    "sales_feerule": "organizer_id IS NULL AND event_id IS NULL",
}


def _copy_schema(*, template: str, target: str) -> None:
    """Copy the template's tables (structure, identity counters), the rows TEMPLATE_ROWS
    allows and foreign keys into a new schema. Reads pg_catalog for the template's namespace only, so the time does not
    grow with the number of schemas (django-tenants' clone_schema reads information_schema,
    which does: ~0.3 s with 40 schemas, over 10 s with 150)."""
    target_q, template_q = _quote(target), _quote(template)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {target_q}")
        cursor.execute(_TABLES_SQL, [template])
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            names = {"target": target_q, "template": template_q, "table": _quote(table)}
            cursor.execute(_COPY_TABLE_SQL.format(**names))
            if table in TEMPLATE_ROWS:
                where = TEMPLATE_ROWS[table]
                cursor.execute(_COPY_ROWS_SQL.format(**names) + (f" WHERE {where}" if where else ""))
        cursor.execute(_IDENTITY_COLUMNS_SQL, [template])
        for table, column in cursor.fetchall():
            names = {"target": target_q, "table": _quote(table), "column": _quote(column)}
            cursor.execute(_IDENTITY_CONTINUE_SQL.format(**names), [f"{target_q}.{_quote(table)}", column])
        # Foreign keys as PostgreSQL prints them for the template (its tables unqualified),
        # then added with the copy first on the search path, so they point at the copy.
        cursor.execute(f"SET LOCAL search_path TO {template_q}, public")
        cursor.execute(_FOREIGN_KEYS_SQL, [template])
        foreign_keys = cursor.fetchall()
        cursor.execute(f"SET LOCAL search_path TO {target_q}, public")
        for table, name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {target_q}.{_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            )


# Only quoted identifiers are formatted into these; values are parameters.
_COPY_TABLE_SQL = "CREATE TABLE {target}.{table} (LIKE {template}.{table} INCLUDING ALL)"
_COPY_ROWS_SQL = "INSERT INTO {target}.{table} SELECT * FROM {template}.{table}"
_IDENTITY_CONTINUE_SQL = "SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT max({column}) FROM {target}.{table}), 0) + 1, false)"
_TABLES_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname
"""
_IDENTITY_COLUMNS_SQL = """
SELECT c.relname, a.attname FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped
"""
_FOREIGN_KEYS_SQL = """
SELECT c.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND con.contype = 'f' ORDER BY c.relname, con.conname
"""
# Indexes by table and definition, their own name and schema left out, to pair the copy's
# (named by PostgreSQL) with the template's (named by Django's migrations).
_INDEXES_SQL = """
SELECT tablename, indexname,
       regexp_replace(indexdef, '^(CREATE (UNIQUE )?INDEX )\\S+ ON \\S+\\.', '\1ON ')
FROM pg_indexes WHERE schemaname = %s ORDER BY tablename, indexname
"""


def _align_index_names(*, template: str, target: str) -> None:
    """Give the copy's indexes the template's names: later migrations drop them by name."""
    with connection.cursor() as cursor:
        cursor.execute(_INDEXES_SQL, [template])
        wanted: dict[tuple[str, str], list[str]] = {}
        for table, name, definition in cursor.fetchall():
            wanted.setdefault((table, definition), []).append(name)
        cursor.execute(_INDEXES_SQL, [target])
        copies = cursor.fetchall()
        renames = []
        for table, name, definition in copies:
            names = wanted.get((table, definition))
            if names:
                renames.append((name, names.pop(0)))
        # Two passes through temporary names, so no rename collides with a name still in use.
        for index, (name, _final) in enumerate(renames):
            if name != _final:
                cursor.execute(
                    f"ALTER INDEX {_quote(target)}.{_quote(name)} RENAME TO {_quote(f'tessera_tmp_{index}')}"
                )
        for index, (name, final) in enumerate(renames):
            if name != final:
                cursor.execute(
                    f"ALTER INDEX {_quote(target)}.{_quote(f'tessera_tmp_{index}')} RENAME TO {_quote(final)}"
                )


# CREATE TABLE … LIKE names the copy's unique constraints itself; later migrations drop
# constraints by Django's names, so give the copy the template's names.
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
    """Delete expired sessions of the current schema, and its expired e-mail confirmation
    keys (stored rows, apps.core.tokens); returns the number of sessions deleted."""
    from allauth.account.models import EmailConfirmation
    from django.contrib.sessions.models import Session

    deleted, _rows = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    EmailConfirmation.objects.delete_expired_confirmations()
    return deleted
