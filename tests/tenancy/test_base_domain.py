"""The platform's base domain comes from the stored platform settings: the platform site
answers there (and still on settings.PLATFORM_DOMAIN), new client hosts end with it, and
routing reads it from the cache, not from the database on every request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core.audit import Actor
from apps.platform.services.configuration import platform_settings_update
from apps.tenancy import services
from apps.tenancy.models import Domain, HostSettings
from tests.tenants import ALPHA

NEW_BASE = "tickets.example.com"


@pytest.fixture
def rebased(organizations, django_capture_on_commit_callbacks):
    """Change the base domain as the platform admin does (the cache is dropped on commit)."""

    def rebase(base_domain: str = NEW_BASE) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            platform_settings_update(changes={"base_domain": base_domain}, actor=Actor(user=None))

    yield rebase
    cache.clear()  # the database change is rolled back; leave no other base domain cached


def _schema_of(host: str) -> str | None:
    response = Client().get("/", HTTP_HOST=host)
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return response.wsgi_request.tenant.schema_name


def test_the_platform_home_moves_to_the_stored_base_domain(rebased):
    assert _schema_of(NEW_BASE) is None  # read (and cached) before the change

    rebased()

    response = Client().get("/", HTTP_HOST="Tickets.Example.com")
    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == "public"
    assert response.context["site_area"] == "platform"
    assert _schema_of("localhost") == "public"  # settings.PLATFORM_DOMAIN keeps working
    assert _schema_of("alpha.localhost") == ALPHA.schema_name  # existing client hosts too
    assert _schema_of(f"alpha.{NEW_BASE}") is None  # no organization was given that host


def test_new_client_hosts_end_with_the_stored_base_domain(rebased):
    assert services.platform_host_for("gamma") == "gamma.localhost"

    rebased()
    organization = services.organization_request(name="Gamma", slug="gamma")

    assert services.platform_host_for("gamma") == f"gamma.{NEW_BASE}"
    assert list(Domain.objects.filter(tenant=organization).values_list("domain", flat=True)) == [
        f"gamma.{NEW_BASE}"
    ]


def test_a_slug_whose_host_is_taken_under_the_new_base_domain_is_refused(rebased, alpha):
    from apps.tenancy.exceptions import SlugUnavailable

    rebased()
    services.domain_add(organization=alpha, domain=f"delta.{NEW_BASE}")

    with pytest.raises(SlugUnavailable):
        services.slug_check_available("delta")


def test_changing_it_back_moves_the_platform_home_back(rebased):
    rebased()
    assert _schema_of(NEW_BASE) == "public"

    rebased("platform.example.org")

    assert _schema_of(NEW_BASE) is None
    assert _schema_of("platform.example.org") == "public"


def test_routing_reads_the_base_domain_from_the_cache(organizations):
    Client().get("/", HTTP_HOST=ALPHA.host)  # the first request fills the cache

    for host in (ALPHA.host, "localhost", "nobody.example"):
        with CaptureQueriesContext(connection) as queries:
            Client().get("/healthz-not-a-page/", HTTP_HOST=host)
        assert not [query for query in queries if "tenancy_hostsettings" in query["sql"]], host


def test_the_host_settings_service_drops_the_cached_base_domain(
    organizations, django_capture_on_commit_callbacks
):
    assert services.platform_base_domain() == "localhost"  # read, and cached
    HostSettings.objects.update_or_create(pk=1, defaults={"base_domain": NEW_BASE})
    assert services.platform_base_domain() == "localhost"  # a write past the service: the cache holds

    with django_capture_on_commit_callbacks(execute=True):
        services.host_settings_update(changes={"name_servers": "ns1.example.com"})

    assert services.platform_base_domain() == NEW_BASE
    cache.clear()
