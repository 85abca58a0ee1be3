"""Reads of hosts: the platform's base domain, client hosts, custom domains and their DNS records."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from apps.core.cache import cached_one, entry_key, generation_bump
from apps.tenancy.models import Domain, HostSettings, Organization

HOSTS_CACHE_KEY = "tenancy:hosts"  # the stored base domain, in the public schema's keys
# An entry a settings change could not drop (Redis down at its commit) lasts this long at most.
HOSTS_CACHE_SECONDS = 5 * 60


def _stored_base_domain() -> str:
    """The stored base domain, lower-case, from the cache (host routing reads it on every
    request); dropped by host_settings_update."""
    with schema_context(get_public_schema_name()):  # keys carry the schema: one entry for all hosts
        base_domain: str | None = cache.get(HOSTS_CACHE_KEY)
        if base_domain is None:
            base_domain = HostSettings.stored().base_domain.lower()
            cache.set(HOSTS_CACHE_KEY, base_domain, HOSTS_CACHE_SECONDS)
    return base_domain


def host_settings_forget() -> None:
    with schema_context(get_public_schema_name()):
        cache.delete(HOSTS_CACHE_KEY)


def platform_base_domain() -> str:
    """The platform's own host, which new client hosts end with (else settings.PLATFORM_DOMAIN)."""
    try:
        connection.ensure_connection()
    except RuntimeError:
        # No database may be used yet: pytest blocks it while test modules are imported, and
        # tests/tenants.py builds its hosts then. Whatever a cache holds from another run, the
        # stored value defaults to PLATFORM_DOMAIN.
        return str(settings.PLATFORM_DOMAIN)
    return _stored_base_domain() or str(settings.PLATFORM_DOMAIN)


def platform_host_for(slug: str) -> str:
    """The host a client (organization or organizer) gets on the platform: <slug>.<base domain>."""
    return f"{slug}.{platform_base_domain()}"


def is_platform_host(hostname: str) -> bool:
    """Host routing, on every request: the platform site answers on the stored base domain
    (from the cache) and, so that development and tests work whatever is stored, on
    settings.PLATFORM_DOMAIN."""
    return hostname == settings.PLATFORM_DOMAIN or hostname == _stored_base_domain()


def platform_name_servers() -> list[str]:
    """The name servers the platform owner shows to clients who delegate their domain's zone."""
    return HostSettings.stored().name_server_list


def routable_domains() -> QuerySet[Domain]:
    """Domains that route to their organization: of live organizations, and a client's own
    domain only once verified."""
    domains: QuerySet[Domain] = (  # Domain's manager comes from django-tenants, untyped
        Domain.objects.select_related("tenant")
        .filter(tenant__status=Organization.Status.READY)
        .exclude(is_custom=True, verified_at__isnull=True)
    )
    return domains


ROUTES = "routes"  # the generation of cached host routing (apps.core.cache), in the public schema


def routes_changed() -> None:
    """Drop every cached host route (now, and again once the transaction commits): the
    services that write a domain or an organization call it, the admin and scripts too."""
    from django_tenants.utils import get_public_schema_name

    generation_bump(schema_name=get_public_schema_name(), name=ROUTES)


def routed_domain(hostname: str) -> Domain:
    """The routable domain (its organization with it) a host name reaches, read from the
    cache, which every write of a domain or an organization drops (routes_changed);
    raises Domain.DoesNotExist (never cached: a new domain routes at once)."""
    from django_tenants.utils import get_public_schema_name

    public = get_public_schema_name()
    domain: Domain | None = cached_one(
        schema_name=public,
        name=ROUTES,
        key=entry_key(public, ROUTES, hostname),
        load=lambda: routable_domains().filter(domain=hostname).first(),
    )
    if domain is None:
        raise Domain.DoesNotExist(hostname)
    return domain


def custom_domains_of(
    *, organization: Organization, organizer_slugs: Iterable[str]
) -> dict[str, list[Domain]]:
    """An organization's own domains by organizer slug (every given slug has a list)."""
    by_organizer: dict[str, list[Domain]] = {slug: [] for slug in organizer_slugs}
    domains = Domain.objects.filter(
        tenant=organization, is_custom=True, organizer_slug__in=list(by_organizer)
    ).order_by("domain")
    for domain in domains:
        by_organizer[domain.organizer_slug].append(domain)
    return by_organizer


# The periodic check gives up on a domain added longer ago ("Check now" still works).
PENDING_CHECK_DAYS = 30


def custom_domains_pending_ids() -> list[int]:
    """Unverified custom domains of live organizations added in the last PENDING_CHECK_DAYS,
    least recently checked first."""
    since = timezone.now() - timedelta(days=PENDING_CHECK_DAYS)
    return list(
        Domain.objects.filter(
            is_custom=True,
            verified_at__isnull=True,
            created_at__gte=since,
            tenant__status=Organization.Status.READY,
        )
        .order_by("last_checked_at", "pk")
        .values_list("pk", flat=True)
    )


def custom_domains_to_release_ids() -> list[int]:
    """Custom domains still unverified CUSTOM_DOMAIN_RELEASE_DAYS after they were added (or
    older than the field that dates them)."""
    cutoff = timezone.now() - timedelta(days=settings.CUSTOM_DOMAIN_RELEASE_DAYS)
    return list(
        Domain.objects.filter(is_custom=True, verified_at__isnull=True)
        .filter(Q(created_at__lt=cutoff) | Q(created_at__isnull=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def verification_record_name(domain_name: str) -> str:
    return f"{settings.DOMAIN_VERIFICATION_PREFIX}.{domain_name}"


@dataclass(frozen=True)
class DnsRecord:
    type: str
    name: str
    value: str


def custom_domain_records(domain: Domain) -> list[DnsRecord]:
    """What the client sets in its DNS zone: the domain (and its www. name, which routes the
    same) as aliases of the organizer's platform host, and the TXT record that proves the
    domain is theirs."""
    target = platform_host_for(domain.organizer_slug)
    return [
        DnsRecord("CNAME", domain.domain, target),
        DnsRecord("CNAME", f"www.{domain.domain}", target),
        DnsRecord("TXT", verification_record_name(domain.domain), domain.verification_token),
    ]


# Why the last check failed: stored as a code, shown in the reader's language.
CHECK_ERRORS = {
    "nxdomain": _("No DNS record named %(name)s exists yet."),
    "no_txt": _("%(name)s has no TXT record yet."),
    "wrong_value": _("The TXT record of %(name)s does not hold this domain's token."),
    "timeout": _("The DNS servers did not answer in time; the check will be tried again."),
    "failed": _("The DNS lookup of %(name)s failed; the check will be tried again."),
}


def check_error_message(domain: Domain) -> str:
    code = domain.last_check_error
    if not code:
        return ""
    message = CHECK_ERRORS.get(code)
    if message is None:
        return str(code)
    return str(message) % {"name": verification_record_name(domain.domain)}


def custom_domains_in(organization: Organization) -> QuerySet[Domain]:
    domains: QuerySet[Domain] = Domain.objects.filter(tenant=organization, is_custom=True)
    return domains
